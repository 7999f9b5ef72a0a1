//! What the kinds' `validate` says about a rule's parameters (each kind's own keys), as
//! messages: the loader puts them after the key's `file:line:column`.

kms_preflight_engine::messages! {
    /// clock: 'methods' is empty; list one or more of: {methods}
    clock_methods_empty = "validate-clock-methods-empty" (methods);
    /// clock: unknown clock method '{method}', expected one of: {methods}
    clock_method_unknown = "validate-clock-method-unknown" (method, methods);
    /// clock: clock method '{method}' is listed twice
    clock_method_twice = "validate-clock-method-twice" (method);
    /// clock: samples must be 1 to {max}, not {samples}
    clock_samples = "validate-clock-samples" (max, samples);
    /// clock: warn_above ({warn_ms}) is larger than fail_above ({fail_ms}); …
    clock_warn_above_fail = "validate-clock-warn-above-fail" (warn_ms, fail_ms);
    /// icmp: count {count} must be between 1 and {max}
    icmp_count = "validate-icmp-count" (count, max);
    /// icmp: interval: {error} (a duration error)
    icmp_interval = "validate-icmp-interval" (error);
    /// interception: samples {samples} is not between 1 and 10
    interception_samples = "validate-interception-samples" (samples);
    /// route: via '{via}' is not one of: direct, vpn, any
    route_via = "validate-route-via" (via);
    /// tcp: hold '{value}': {detail} (write e.g. 200ms, or 0 for off); detail is humantime's
    /// reason (`rules::duration_reason`)
    tcp_hold_invalid = "validate-tcp-hold-invalid" (value, detail);
    /// tcp: hold '{value}' is more than 10s
    tcp_hold_too_long = "validate-tcp-hold-too-long" (value);
    /// srv-membership needs 'present' or 'absent' (a list of host names)
    srv_membership_needs_list = "validate-srv-membership-needs-list" ();
}
