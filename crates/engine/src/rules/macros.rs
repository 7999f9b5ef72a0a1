//! `check_rule!`: how a kind declares its YAML keys (flat and strict, so errors keep positions).

/// Declares the YAML struct of a check kind: the common keys plus the kind's own, all flat
/// and strict, and splits a parsed value into (`RawCommon`, the kind's parameter struct).
/// Attributes on the kind's fields apply to the YAML struct only.
#[macro_export]
macro_rules! check_rule {
    ($(#[$m:meta])* $yaml:ident => $params:ident {
        $( $(#[$fm:meta])* $f:ident : $t:ty ),* $(,)?
    }) => {
        #[derive(Debug, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        #[doc(hidden)]
        pub struct $yaml {
            id: serde_saphyr::Spanned<String>,
            kind: serde_saphyr::Spanned<String>,
            title: Option<String>,
            scope: Option<serde_saphyr::Spanned<String>>,
            severity: Option<serde_saphyr::Spanned<String>>,
            #[serde(default)]
            explains: Vec<serde_saphyr::Spanned<String>>,
            remediation: Option<serde_saphyr::Spanned<String>>,
            timeout: Option<serde_saphyr::Spanned<String>>,
            #[serde(default)]
            requires: Vec<serde_saphyr::Spanned<String>>,
            retries: Option<serde_saphyr::Spanned<u32>>,
            retry_delay: Option<serde_saphyr::Spanned<String>>,
            $( $(#[$fm])* $f: $t, )*
        }

        $(#[$m])*
        #[derive(Debug)]
        pub struct $params {
            $( pub $f: $t, )*
        }

        impl $yaml {
            pub fn split(self) -> ($crate::rules::RawCommon, $params) {
                (
                    $crate::rules::RawCommon {
                        id: self.id,
                        kind: self.kind,
                        title: self.title,
                        scope: self.scope,
                        severity: self.severity,
                        explains: self.explains,
                        remediation: self.remediation,
                        timeout: self.timeout,
                        requires: self.requires,
                        retries: self.retries,
                        retry_delay: self.retry_delay,
                    },
                    $params { $( $f: self.$f, )* },
                )
            }
        }
    };
}
