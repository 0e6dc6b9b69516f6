"""Handoff bugs found while porting: a bad filter after model calls, fixed handoffs."""

from __future__ import annotations

import pytest

import agentlab as al


def _team(filter_fn: object) -> al.Team:
    faq = al.Agent("FAQ", model=al.ScriptedModel(["answer"]), handoff_filter=filter_fn)  # type: ignore[arg-type]
    triage = al.Agent("Triage", handoffs=[faq], model=al.ScriptedModel(
        [al.ToolCall("transfer_to_faq", {"intent": "a FAQ question"})]))  # fmt: skip
    return al.Team([triage, faq], entry=triage)


@pytest.mark.parametrize("bad", [lambda messages: None, lambda messages: "text",
                                 lambda messages: [1, 2]])  # fmt: skip
def test_filter_returning_junk_after_model_calls_is_a_failed_run(bad: object) -> None:
    run = _team(bad).run_sync("question")  # no ConfigError raised: a model was already called
    assert run.status == "failed"
    assert not isinstance(run.error, al.ConfigError)
    assert "must return a list of al.Message" in str(run.error)
    assert any(s.kind == "model" for s in run.trace.spans)


def test_filter_returning_a_tuple_of_messages_still_works() -> None:
    run = _team(lambda messages: tuple(messages[-2:])).run_sync("question")
    assert run.status == "completed" and run.output == "answer"


def test_handoffs_are_fixed_and_the_error_says_how_to_change_them() -> None:
    sales, support = al.Agent("Sales"), al.Agent("Support")
    faq = al.Agent("FAQ", handoffs=[sales])
    for attempt in (lambda: faq.handoffs.append(support), lambda: faq.handoffs.extend([support]),
                    lambda: faq.handoffs.remove(sales)):  # fmt: skip
        with pytest.raises(AttributeError, match="fixed at construction") as info:
            attempt()
        assert "clone(handoffs=" in str(info.value) and "'FAQ'" in str(info.value)
    assert faq.handoffs == (sales,) and isinstance(faq.handoffs, tuple)
    wider = faq.clone(handoffs=[*faq.handoffs, support])
    assert [a.name for a in wider.handoffs] == ["Sales", "Support"]
    with pytest.raises(AttributeError, match="no_such"):
        faq.handoffs.no_such  # noqa: B018 - other attributes stay ordinary errors


@pytest.mark.parametrize("instructions", [lambda ctx: "", lambda ctx: f"Serve {ctx.deps}."])
def test_instructions_functions_in_a_team_keep_the_history_right(instructions: object) -> None:
    seen: list[list[str]] = []

    def faq_model(messages, tools):
        seen.append([m.role for m in messages])
        return "answer"

    faq = al.Agent("FAQ", instructions="Answer FAQs.", model=al.FunctionModel(faq_model))
    triage = al.Agent(
        "Triage",
        instructions=instructions,
        handoffs=[faq],  # type: ignore[arg-type]
        model=al.ScriptedModel([al.ToolCall("transfer_to_faq", {"intent": "faq"})]),
    )
    run = al.Team([triage, faq], entry=triage).run_sync("question", deps="Ada")
    assert run.status == "completed" and run.output == "answer"
    # FAQ's own prompt, the question, Triage's transfer call and result, the handoff note
    assert seen[0] == ["system", "user", "assistant", "tool", "system"]
