//! `rules list` and `rules validate`, and loading the rule files `--rules` names.

use std::path::PathBuf;

use kms_preflight_checks::pack;
use kms_preflight_checks::RuleSet;
use kms_preflight_report as report;

use super::{UsageError, EXIT_OK, EXIT_USAGE};
use crate::cli::RuleArgs;

/// The built-in pack (unless `--no-builtin`) with the `--rules` files and `extra_paths`.
pub fn load_rules(args: &RuleArgs, extra_paths: &[PathBuf]) -> Result<RuleSet, UsageError> {
    let a = pack::Assembly {
        no_builtin: args.no_builtin,
        rule_paths: args.rules.iter().chain(extra_paths).cloned().collect(),
        vars: args.all_vars(),
        ..pack::Assembly::default()
    };
    Ok(pack::assemble(&a)?.rules)
}

pub fn list_rules(set: &RuleSet) -> String {
    let w_id = set
        .checks
        .iter()
        .map(|c| c.id.len())
        .max()
        .unwrap_or(2)
        .max(2);
    let w_kind = set
        .checks
        .iter()
        .map(|c| c.kind.len())
        .max()
        .unwrap_or(4)
        .max(4);
    let w_scope = set
        .checks
        .iter()
        .map(|c| c.scope.name().len())
        .max()
        .unwrap_or(5)
        .max(5);
    let mut out = format!(
        "{:<w_id$}  {:<w_kind$}  {:<w_scope$}  TITLE\n",
        "ID", "KIND", "SCOPE"
    );
    for c in &set.checks {
        out.push_str(&format!(
            "{:<w_id$}  {:<w_kind$}  {:<w_scope$}  {}  ({}:{})\n",
            c.id,
            c.kind,
            c.scope.name(),
            c.title,
            c.file,
            c.line
        ));
    }
    out
}

/// `rules list`.
pub fn list(args: &RuleArgs) -> i32 {
    match load_rules(args, &[]) {
        Ok(set) => {
            print!("{}", list_rules(&set));
            EXIT_OK
        }
        Err(e) => {
            eprintln!("kms-preflight: {e}");
            EXIT_USAGE
        }
    }
}

/// `rules validate PATH...`: every rule file under the paths (directories recursively), each
/// as the loader that reads it checks it (profiles as `--profile`, others as `--rules`), every
/// error as file:line:column.
pub fn validate(paths: &[PathBuf]) -> i32 {
    match pack::validate::validate(paths) {
        Ok(v) => {
            let m = report::cli::rules_valid(v.checks, v.files, v.profiles);
            println!("{}", report::Catalog::get(super::lang()).text(&m));
            EXIT_OK
        }
        Err(e) => {
            eprintln!("{}", e.render(super::lang()));
            EXIT_USAGE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kms_preflight_checks::sweep;

    /// --expect-host and --forbid-host reach the built-in srv.inventory (and sweep's lists)
    /// without a rule file, and a --var still wins over them.
    #[test]
    fn inventory_flags_fill_the_builtin_inventory_rule() {
        let mut args = RuleArgs {
            rules: Vec::new(),
            no_builtin: false,
            vars: Vec::new(),
            expect_hosts: vec!["kms01.corp.example".into(), "kms02.corp.example".into()],
            forbid_hosts: vec!["old-kms.corp.example".into()],
        };
        let inv = sweep::inventory_of(&load_rules(&args, &[]).unwrap(), &[]).unwrap();
        assert_eq!(inv.allowed, ["kms01.corp.example", "kms02.corp.example"]);
        assert_eq!(inv.forbidden, ["old-kms.corp.example"]);

        args.vars = vec![("forbid_hosts".into(), "other.corp.example".into())];
        let inv = sweep::inventory_of(&load_rules(&args, &[]).unwrap(), &[]).unwrap();
        assert_eq!(inv.forbidden, ["other.corp.example"]);

        let none = RuleArgs {
            expect_hosts: Vec::new(),
            forbid_hosts: Vec::new(),
            vars: Vec::new(),
            ..args
        };
        let inv = sweep::inventory_of(&load_rules(&none, &[]).unwrap(), &[]).unwrap();
        assert!(inv.allowed.is_empty() && inv.forbidden.is_empty());
    }
}
