# explain CODE (crates/report/src/explain.rs): the headings around the error-code catalog's own
# texts (knowledge/codes.yaml). Commands are never translated.

## Text
explain-symbol = symbol
explain-layer = layer
# The layer token as written in codes.yaml and in JSON.
explain-layer-name = { $layer }
explain-informational = (informational: a state, not a failure)
explain-meaning = Meaning:
explain-shown-by = Shown by:
explain-causes = Likely causes:
explain-no-checks = No kms-preflight check can decide between these causes: they are not visible from the network.
explain-checks = Checks that decide between them (`kms-preflight diagnose { $code }` runs these):
explain-opt-in = [opt-in: { $flag }]
explain-not-available = (not available in this build)
explain-fix = Fix:
explain-in-commands = In the commands:
explain-ospp = `cscript ospp.vbs` means the ospp.vbs of the installed Office (run it from that folder):
explain-sources = Sources:

## Markdown
explain-md-symbol = Symbol
explain-md-layer = Layer
explain-md-shown-by = Shown by
explain-md-causes = Likely causes
explain-md-checks = Deciding checks
explain-md-no-checks = None: not visible from the network.
explain-md-not-available = not available in this build
explain-md-fix = Fix

## A code the catalog does not have
explain-known-codes = Known codes: { $codes }
explain-diagnose-known-codes = diagnose knows which checks decide these codes: { $codes }
explain-unknown = { $code } is not in the kms-preflight catalog. HRESULT fields: { LIST($fields, sep: "; ") }. Its meaning is not known here.
explain-severity = severity: { $failure ->
        [true] failure (bit 31 set)
       *[false] success/informational (bit 31 clear)
    }
explain-customer = customer-defined code (bit 29 set)
explain-nt-mapped = mapped from an NTSTATUS (bit 28 set)
explain-facility-win32 = facility 7 (FACILITY_WIN32): Win32 error { $word } (0x{ $word_hex })
explain-facility-itf-sl = facility 4 (FACILITY_ITF), Software Licensing (SL) range; code word 0x{ $word_hex }
explain-facility-itf = facility 4 (FACILITY_ITF); code word 0x{ $word_hex }
explain-facility = facility { $facility }; code word 0x{ $word_hex } ({ $word })

## An argument that is not an error code
explain-code-empty = empty error code; { explain-code-expected }
explain-code-invalid = `{ $input }` is not an error code: { $reason ->
        [dash-not-decimal] after `-` only decimal digits are allowed
        [nothing-after-prefix] nothing after `0x`
       *[not-digits] contains characters that are neither decimal nor hex digits
    }; { explain-code-expected }
explain-code-out-of-range = `{ $input }` does not fit in 32 bits; { explain-code-expected }
explain-code-expected = expected a 32-bit code as hex (0xC004F074 or C004F074), decimal (3221549172) or negative decimal (-1073418124)
