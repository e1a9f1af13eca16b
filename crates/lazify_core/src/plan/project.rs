//! What other modules of the project, and the effects of the imported modules, forbid.

use ruff_text_size::Ranged;

use super::Candidate;
use crate::diagnostic::KeepReason;
use crate::index::Index;
use crate::settings::{Settings, SourceFile, Style};

/// What other files of the project do that a deferred import would change, in every style: replace the module
/// in `sys.modules`, rebind the imported name in its module, read this module's namespace; and for `local`,
/// star-import this module.
pub(super) fn judge_project(
    candidate: &mut Candidate<'_>,
    index: &Index<'_>,
    file: &SourceFile,
    settings: &Settings,
    style: Style,
) {
    let Some(project) = settings.project.as_deref() else {
        return;
    };
    let alias_range = candidate.alias.range();
    if let Some(module) = candidate.verdict.resolved_module.as_deref() {
        let member = candidate
            .verdict
            .member
            .as_ref()
            .map(|m| format!("{module}.{m}"));
        if let Some(at) = std::iter::once(module)
            .chain(member.as_deref())
            .find_map(|m| project.sys_modules_replaced(m))
        {
            let detail = format!("`sys.modules` entry replaced at {at}");
            candidate.keep(KeepReason::SysModulesPatched, alias_range, Some(detail));
            return;
        }
        if let Some(name) = candidate.verdict.member.as_deref()
            && let Some(at) = project.rebound_elsewhere(module, name)
        {
            let detail = format!("`{module}.{name}` is rebound at {at}");
            candidate.keep(KeepReason::RebindElsewhere, alias_range, Some(detail));
            return;
        }
    }
    let Some(this) = file.module_name.as_deref() else {
        return;
    };
    if let Some(at) = project.namespace_read(this, style == Style::Local) {
        let detail = format!("`{this}`'s namespace is read at {at}");
        candidate.keep(
            KeepReason::NamespaceReadElsewhere,
            alias_range,
            Some(detail),
        );
        return;
    }
    // `from this import *` copies every public global when there is no `__all__`: a name moved into a
    // function is no longer one of them.
    let binding = candidate.verdict.binding.as_str();
    if style == Style::Local
        && !index.has_all
        && !binding.starts_with('_')
        && let Some(at) = project.star_imported(this)
    {
        let detail = format!("`from {this} import *` at {at}");
        candidate.keep(KeepReason::UsedByOtherModule, alias_range, Some(detail));
    }
}

/// Imports about to be rewritten whose module has an effect when it loads (asked last: files with nothing to
/// rewrite never ask).
pub(super) fn judge_effects(
    candidates: &mut [Candidate<'_>],
    file: &SourceFile,
    settings: &Settings,
) {
    let Some(oracle) = settings.effects.as_deref() else {
        return;
    };
    for c in candidates.iter_mut() {
        if !c.verdict.is_rewrite() {
            continue;
        }
        let Some(module) = c.verdict.resolved_module.clone() else {
            continue;
        };
        let importer = file.module_name.as_deref();
        let member = c.verdict.member.as_ref().map(|m| format!("{module}.{m}"));
        if let Some(check) = std::iter::once(module.as_str())
            .chain(member.as_deref())
            .find_map(|m| oracle.sys_modules_check(m))
        {
            c.keep(
                KeepReason::CheckedInSysModules,
                c.alias.range(),
                Some(format!("at {}", check.at)),
            );
            continue;
        }
        if let Some(guard) = importer.and_then(|i| oracle.import_guard(i, &module)) {
            c.keep(
                KeepReason::ImportGuardedElsewhere,
                c.alias.range(),
                Some(format!("at {}", guard.at)),
            );
            continue;
        }
        let mut answer = oracle.module(&module, importer, file.package());
        if answer.chain.is_none()
            && let Some(member) = &c.verdict.member
        {
            let inner = oracle.member(&module, member, file.package());
            if inner.chain.is_some() || answer.unknown.is_none() {
                answer.chain = inner.chain;
                answer.unknown = answer.unknown.or(inner.unknown);
            }
        }
        if let Some(chain) = answer.chain {
            let detail = match (chain.steps.first(), chain.effect()) {
                (Some(first), Some(effect)) if chain.steps.len() > 1 => {
                    format!("{}: {effect}, through {first}", chain.kind.describe())
                }
                (_, Some(effect)) => format!("{}: {effect}", chain.kind.describe()),
                _ => chain.kind.describe().to_string(),
            };
            c.keep(
                KeepReason::ImportedModuleHasEffects,
                c.alias.range(),
                Some(detail),
            );
            c.verdict.chain = Some((*chain).clone());
        } else if let Some(unknown) = answer.unknown {
            let text = format!(
                "effects of `{}` not analysed: {}",
                unknown.module, unknown.why
            );
            if settings.unknown_modules == crate::settings::UnknownModules::Keep {
                c.keep(
                    KeepReason::ImportedModuleUnknown,
                    c.alias.range(),
                    Some(text),
                );
            } else {
                c.verdict.note = Some(text);
            }
        }
    }
}
