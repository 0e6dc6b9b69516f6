"""Team and handoff construction: every mistake is a ConfigError at construction that
says what to write instead; the design warning points at the user's line."""

from __future__ import annotations

import warnings

import pytest

import agentlab as al


def agent(name: str, responses: list[object], handoffs=(), **kwargs) -> al.Agent:
    return al.Agent(
        name=name,
        instructions=f"You are {name}.",
        model=al.ScriptedModel(responses),
        handoffs=handoffs,
        **kwargs,
    )


def test_unknown_handoff_name_is_a_config_error_at_construction():
    triage = agent("Triage", [], handoffs=["Sales", "Suport"])
    sales = agent("Sales", [])
    with pytest.raises(al.ConfigError, match="'Suport', which is not in the team"):
        al.Team([triage, sales], entry=triage)


def test_duplicate_names_and_foreign_entry_are_config_errors():
    a, a2, b = agent("A", []), agent("A", []), agent("B", [])
    with pytest.raises(al.ConfigError, match="two team members are named 'A'"):
        al.Team([a, a2], entry=a)
    with pytest.raises(al.ConfigError, match="entry 'B' is not a member"):
        al.Team([a], entry=b)
    with pytest.raises(al.ConfigError, match="entry 'Nobody' is not a member"):
        al.Team([a], entry="Nobody")
    with pytest.raises(al.ConfigError, match="max_hops"):
        al.Team([a], entry=a, max_hops=-1)


def test_handoff_to_an_agent_object_outside_the_team_is_a_config_error():
    stale_sales = agent("Sales", [])
    triage = agent("Triage", [], handoffs=[stale_sales])
    sales = agent("Sales", [])
    with pytest.raises(al.ConfigError, match="different object"):
        al.Team([triage, sales], entry=triage)
    with pytest.raises(al.ConfigError, match="not in the team"):
        al.Team([triage], entry=triage)


def test_more_than_three_targets_warns_citing_the_rule():
    targets = [agent(n, []) for n in "ABCD"]
    with pytest.warns(al.DesignWarning, match="at most 2-3"):
        agent("Triage", [], handoffs=targets)


def test_bad_handoff_declarations_are_config_errors():
    sales = agent("Sales", [])
    with pytest.raises(al.ConfigError, match="must be a list"):
        agent("Triage", [], handoffs=sales)
    with pytest.raises(al.ConfigError, match="twice"):
        agent("Triage", [], handoffs=[sales, "Sales"])
    with pytest.raises(al.ConfigError, match="agents or agent names"):
        agent("Triage", [], handoffs=[42])

    def transfer_to_sales(x: str) -> str:
        """Clash."""
        return x

    with pytest.raises(al.ConfigError, match="rename the tool"):
        agent("Triage", [], handoffs=[sales], tools=[transfer_to_sales])


def test_three_targets_is_fine_and_the_warning_points_at_the_users_line():
    targets = [agent(n, []) for n in "ABCD"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        agent("Triage", [], handoffs=targets[:3])  # 3 is within the rule
    with pytest.warns(al.DesignWarning, match="4 handoff targets") as caught:
        al.Agent(name="Triage", handoffs=targets)
    assert caught[0].filename == __file__


def test_a_handoff_to_itself_is_a_config_error():
    with pytest.raises(al.ConfigError, match="lists itself as a handoff target"):
        agent("Triage", [], handoffs=["Triage"])


def test_a_near_miss_name_suggests_the_member():
    triage = agent("Triage", [], handoffs=["sales"])
    sales = agent("Sales", [])
    with pytest.raises(
        al.ConfigError, match=r"not in the team \(Triage, Sales\) \(did you mean 'Sales'\?\)"
    ):
        al.Team([triage, sales], entry=triage)
    with pytest.raises(al.ConfigError, match=r"did you mean 'Sales'\?"):
        al.Team([sales], entry="sales")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"agents": "dict"}, r"takes a list of agents, got dict; e\.g\. Team\(\[triage, sales\]"),
        ({"name": None}, "Team name must be non-empty text"),
        ({"handoff_filter": "last 3"}, "handoff_filter must be a function"),
        ({"limits": {"max_turns": 2}}, r"must be al\.Limits"),
        ({"max_hops": None}, r"max_hops=None\) must be a whole number"),
    ],
)
def test_bad_team_arguments_are_config_errors(kwargs, message):
    sales = agent("Sales", [])
    args = {"agents": [sales], "entry": sales, **kwargs}
    if args["agents"] == "dict":
        args["agents"] = {"Sales": sales}
    with pytest.raises(al.ConfigError, match=message):
        al.Team(**args)


def test_a_member_run_on_its_own_checks_its_handoff_names_before_any_call():
    sales = al.Agent(name="Sales", model=al.ScriptedModel(["$20"]))
    triage = al.Agent(name="Triage", handoffs=["Sales"], model=al.ScriptedModel(["hi"]))
    team = al.Team([triage, sales], entry=triage)
    assert team.run_sync("hello").status == "completed"  # in its Team the name resolves
    with pytest.raises(al.ConfigError, match="Sales"):
        triage.run_sync("hello")  # alone, nothing says who 'Sales' is
    assert triage.model.calls == 1  # only the Team run called the model
