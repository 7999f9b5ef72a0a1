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
