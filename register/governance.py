"""Governance: the one rule that says whether an agreement stands on the right decision.

An agreement of a kind that its organisation's rules govern (GovernanceRule: "the
council decides twinning agreements") is decided by the body the rule names; once it is
published it has that decision, or it is marked explicitly "decision not on record" with
a reason (a historical agreement decided before the digital records). A decision is not
dated after the agreement it decides began, nor an ending decision after the early end.

Every face asks this module, never its own copy of the rule: Agreement.clean (admin,
imports, the demo loader, renewals), Decision.clean (a decision's body or date changed
re-checks every agreement that stands on it) and publication (register/publishing.py).
Models are imported inside the functions: register/models.py imports this module.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

Errors = dict[str, list[str]]

# What a finding is about, so that a decision's check can name its own field: the body
# rule is the decision's "body", the date rule its "date".
BODY, DATE, RELATION, RECORD = "body", "date", "relation", "record"


def _add(errors: Errors, field: str, message: str, about: str = RECORD) -> None:
    errors.setdefault(field, []).append(message)
    errors.setdefault(f"_about_{field}", []).append(about)  # type: ignore[arg-type]


def _public(errors: Errors) -> Errors:
    return {field: messages for field, messages in errors.items() if not field.startswith("_")}


def _earliest(text: str):
    from register.imprecise import ImpreciseDate

    try:
        return ImpreciseDate(text).earliest if text else None
    except (ValidationError, ValueError):
        return None


def _latest(text: str):
    from register.imprecise import ImpreciseDate

    try:
        return ImpreciseDate(text).latest if text else None
    except (ValidationError, ValueError):
        return None


def required_body(agreement) -> str | None:
    """The body the organisation's rules name for the agreement's kind, if any."""
    if not (agreement.kind_id and agreement.relation_id):
        return None
    return agreement.relation.organisation.body_for(agreement.kind)


def agreement_errors(agreement, *, decision=None, ending_decision=None) -> Errors:
    """What is wrong with `agreement`'s decisions, {field: [messages]}; empty if nothing."""
    return _public(_agreement_findings(agreement, decision, ending_decision))


def _agreement_findings(agreement, decision=None, ending_decision=None) -> Errors:
    """`decision` and `ending_decision` stand in for the agreement's own when a face checks
    a decision not saved yet (a body corrected in the same form that links it)."""
    from register.imprecise import format_date
    from register.models import DecidingBody

    errors: Errors = {}
    decision = decision if decision is not None else agreement.decision
    ending = ending_decision if ending_decision is not None else agreement.ending_decision
    if not (agreement.kind_id and agreement.relation_id):
        return errors
    organisation = agreement.relation.organisation
    required = required_body(agreement)
    for field, chosen in (("decision", decision), ("ending_decision", ending)):
        if chosen is None:
            continue
        if chosen.relation_id != agreement.relation_id:
            _add(errors, field, _("The decision belongs to another relation."), RELATION)
            continue
        if required and chosen.body != required:
            _add(
                errors,
                field,
                _(
                    "In %(organisation)s, %(kind)s are decided by the %(required)s, "
                    "not by the %(given)s."
                )
                % {
                    "organisation": organisation.name,
                    "kind": agreement.kind.plural,
                    "required": DecidingBody(required).label,
                    "given": DecidingBody(chosen.body).label,
                },
                BODY,
            )
    if decision is not None and decision.relation_id == agreement.relation_id:
        decided, started = _earliest(decision.date), _latest(agreement.start)
        if decided and started and decided > started:
            _add(
                errors,
                "decision",
                _(
                    "The decision (%(decided)s) is dated after the agreement began "
                    "(%(start)s): an agreement is decided before it starts."
                )
                % {"decided": format_date(decision.date), "start": format_date(agreement.start)},
                DATE,
            )
    if ending is not None and ending.relation_id == agreement.relation_id:
        decided, ended = _earliest(ending.date), _latest(agreement.ended_early_on)
        if decided and ended and decided > ended:
            _add(
                errors,
                "ending_decision",
                _(
                    "The ending decision (%(decided)s) is dated after the agreement ended "
                    "(%(end)s): an agreement is ended by a decision taken before."
                )
                % {
                    "decided": format_date(ending.date),
                    "end": format_date(agreement.ended_early_on),
                },
                DATE,
            )
    for field, messages in _record_errors(agreement, decision, required).items():
        for message in messages:
            _add(errors, field, message)
    return errors


def _record_errors(agreement, decision, required) -> Errors:
    """Published means decided: the decision, or the explicit mark with its reason."""
    from register.models import DecidingBody

    errors: Errors = {}
    marked = agreement.decision_not_on_record
    if marked and not agreement.decision_not_on_record_reason.strip():
        errors.setdefault("decision_not_on_record_reason", []).append(
            _("Give the reason why the decision is not on record (for example, its age)."),
        )
    if agreement.is_published and required and decision is None and not marked:
        errors.setdefault("decision", []).append(
            _(
                "A published %(kind)s needs the decision of the %(required)s, or the mark "
                "“decision not on record” with a reason. Link the decision, mark it, or "
                "keep the agreement as a draft."
            )
            % {"kind": agreement.kind.label, "required": DecidingBody(required).label}
        )
    return errors


def decision_errors(decision, agreements=None) -> Errors:
    """Re-check every agreement that stands on `decision` (as decision or as ending
    decision) with the decision as it is about to be saved; {field: [messages]}, each
    message naming the agreement. `agreements` overrides the stored ones when a face
    saves them together."""
    errors: Errors = {}
    if decision.pk is None:
        return errors
    if agreements is None:
        from django.db.models import Q

        from register.models import Agreement

        agreements = (
            Agreement.objects.filter(Q(decision=decision) | Q(ending_decision=decision))
            .select_related("kind", "relation__organisation", "relation__partner")
            .order_by("pk")
        )
    for agreement in agreements:
        as_decision = agreement.decision_id == decision.pk
        as_ending = agreement.ending_decision_id == decision.pk
        found = _agreement_findings(
            agreement,
            decision if as_decision else None,
            decision if as_ending else None,
        )
        for field, on_it in (("decision", as_decision), ("ending_decision", as_ending)):
            if not on_it:
                continue
            for message, about in zip(
                found.get(field, []), found.get(f"_about_{field}", []), strict=True
            ):
                if about == RECORD:
                    continue
                errors.setdefault("relation" if about == RELATION else about, []).append(
                    _(
                        "The agreement “%(agreement)s” with %(partner)s stands on this "
                        "decision: %(rule)s"
                    )
                    % {
                        "agreement": agreement,
                        "partner": agreement.relation.partner.display_name(),
                        "rule": message,
                    }
                )
    return errors


def check_publication(agreement) -> None:
    """Raise ValidationError (naming the field and the rule) if `agreement` may not be
    published as it is."""
    was = agreement.is_published
    agreement.is_published = True
    try:
        errors = agreement_errors(agreement)
    finally:
        agreement.is_published = was
    if errors:
        raise ValidationError(errors)
