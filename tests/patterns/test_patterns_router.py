"""Router: normalised labels, fallback, a clear error without one, the 3-5 rule."""

from __future__ import annotations

import warnings

import pytest

import agentlab as al

TICKETS = [
    ("I was charged twice for my subscription this month.", " Billing."),
    ("The app crashes every time I open the settings page.", "TECHNICAL"),
    ("How do I change the email address on my profile?", "account\n"),
    ("Where is my parcel? It has not arrived.", "shipping"),
]


def support_desk(labels: list[str], *, fallback: bool = True) -> tuple[al.Router, dict]:
    classifier = al.Agent(
        name="Classifier",
        instructions="Answer billing, technical or account.",
        model=al.ScriptedModel(labels),
    )
    handlers = {
        name: al.Agent(
            name=name.title(),
            model=al.FunctionModel(
                lambda msgs, tools, name=name: f"{name} team: {msgs[-1].content[:20]}"
            ),
        )
        for name in ("billing", "technical", "account")
    }
    general = al.Agent(name="General", model=al.FunctionModel(lambda m, t: "general team"))
    router = al.Router(
        classifier, routes=handlers, fallback=general if fallback else None, name="Support desk"
    )
    return router, handlers


def test_three_support_tickets_go_to_their_handlers_and_an_unknown_label_to_fallback():
    router, _ = support_desk([label for _, label in TICKETS])
    runs = [router.run_sync(ticket) for ticket, _ in TICKETS]
    assert [r.status for r in runs] == ["completed"] * 4
    assert runs[0].output.startswith("billing team: I was charged twice")
    assert runs[1].output.startswith("technical team: The app crashes")
    assert runs[2].output.startswith("account team: How do I change")
    assert runs[3].output == "general team"
    routes = [r.trace.find("route")[0].attributes for r in runs]
    assert [a["route"] for a in routes] == ["billing", "technical", "account", "fallback"]
    assert [a["fell_back"] for a in routes] == [False, False, False, True]
    assert routes[0]["label"] == " Billing." and routes[0]["normalized"] == "billing"
    assert routes[3]["handler"] == "General"
    # every run: one classifier call and one handler call
    assert [r.usage.requests for r in runs] == [2, 2, 2, 2]


def test_trace_shape_is_router_with_classifier_route_and_handler():
    router, _ = support_desk(["billing"])
    run = router.run_sync(TICKETS[0][0])
    (span,) = run.trace.find("router")
    assert span.attributes == {"routes": ["billing", "technical", "account"], "fallback": "General"}
    kids = run.trace.children(span.id)
    assert [(k.kind, k.name) for k in kids] == [
        ("agent", "Classifier"),
        ("route", "billing"),
        ("agent", "Billing"),
    ]


def test_the_handler_gets_the_original_input_not_the_label():
    router, _ = support_desk(["technical"])
    run = router.run_sync("My screen is blank")
    handler_span = run.trace.find("agent", name="Technical")[0]
    assert run.trace.messages_of(handler_span)[-1].content == "My screen is blank"


def test_unknown_label_without_fallback_fails_naming_the_label_and_the_known_ones():
    router, handlers = support_desk(["Shipping"], fallback=False)
    run = router.run_sync("Where is my parcel?")
    assert run.status == "failed"
    assert isinstance(run.error, al.DecisionError)
    message = str(run.error)
    assert "'Shipping'" in message
    assert "billing, technical, account" in message
    assert "fallback" in message
    route = run.trace.find("route")[0]
    assert route.status == "error"
    assert route.attributes["route"] is None and route.attributes["fell_back"] is False
    assert all(h.model.calls == 0 for h in handlers.values())


def test_function_classifier_sync_and_async():
    billing = al.Agent(name="Billing", model=al.ScriptedModel(["refund"]))
    other = al.Agent(name="Other", model=al.ScriptedModel(["other"]))

    def keyword(text: str) -> str:
        return "billing" if "charged" in text else "other"

    async def akeyword(text: str) -> str:
        return keyword(text)

    routes = {"billing": billing, "other": other}
    assert al.Router(keyword, routes).run_sync("I was charged").output == "refund"
    run = al.Router(akeyword, routes).run_sync("hello")
    assert run.output == "other"
    assert run.trace.find("tool")[0].name == "akeyword"


def test_a_failing_classifier_fails_the_router_without_using_the_fallback():
    broken = al.Agent(name="Classifier", model=al.ScriptedModel([]))
    fallback = al.Agent(name="General", model=al.ScriptedModel(["general"]))
    run = al.Router(broken, {"a": fallback}, fallback=fallback).run_sync("x")
    assert run.status == "failed"
    assert isinstance(run.error, al.ScriptExhausted)
    assert fallback.model.calls == 0


def test_more_than_five_routes_is_a_design_warning_citing_the_rule():
    agent = al.Agent(name="A", model=al.ScriptedModel([]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        al.Router(agent, {f"r{i}": agent for i in range(5)})  # 5 is fine
    with pytest.warns(al.DesignWarning, match="3-5"):
        al.Router(agent, {f"r{i}": agent for i in range(6)})


def test_routes_that_are_not_runnables_are_config_errors():
    agent = al.Agent(name="A", model=al.ScriptedModel([]))
    with pytest.raises(al.ConfigError, match=r"route 'billing' must be an al\.Agent"):
        al.Router(agent, {"billing": "the billing team"})
    with pytest.raises(al.ConfigError, match="non-empty dict"):
        al.Router(agent, {})
    with pytest.raises(al.ConfigError, match="same label"):
        al.Router(agent, {"Tech support": agent, "tech-support": agent})
    with pytest.raises(al.ConfigError, match="fallback must be"):
        al.Router(agent, {"a": agent}, fallback=print)


def test_a_plain_function_as_a_route_is_told_to_wrap_it_in_a_chain():
    agent = al.Agent(name="A", model=al.ScriptedModel([]))

    def refund(text: str) -> str:
        return "refunded"

    with pytest.raises(al.ConfigError, match=r"plain function refund; .*al\.Chain\(\[refund\]\)"):
        al.Router(agent, {"billing": refund})
    # the fix works: a one-step chain is a route
    run = al.Router(lambda t: "billing", {"billing": al.Chain([refund])}).run_sync("x")
    assert run.output == "refunded"
