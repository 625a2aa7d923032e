"""Rules that derive a rating from a checklist's answers, written down as data.

Two kinds of rule cover the tools evsynth ships, and a checklist file picks one in its
``[rule]`` table:

* ``kind = "count"``: count the questions whose answer does not meet the criterion and read
  the rating off a list of thresholds. ``met`` lists the answers that count as met, so the rule
  says exactly how "Somewhat" or "Can't tell" are treated. Scope et al. (2021, Quality of the
  included studies) rate a study high when it meets all criteria, moderate when one criterion
  is not met, and low when more than one is not met.
* ``kind = "algorithm"``: a decision tree per domain, as the RoB 2 tool's algorithms (Sterne et
  al. 2019, doi:10.1136/bmj.l4898; guidance of 22 August 2019). Each node asks one or more
  signalling questions; its branches are tried in order and the first that matches either moves
  to another node or gives a judgement. A domain may have several parts (RoB 2 domain 2 has
  two); its judgement is the worst of its parts, and the overall judgement is the worst of the
  domains (RoB 2: low only if every domain is low, high if any domain is high, some concerns
  otherwise).

A rule only suggests: the reviewer's own recorded rating is kept beside it (see
:class:`~evsynth.appraisal.AppraisalResult`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

from evsynth._core.errors import DataError, InputLocation


@dataclass(frozen=True, slots=True)
class RuleRating:
    """What a rule derives from one appraisal's answers.

    Parameters
    ----------
    rating : str or None
        The derived rating (``None`` when the answers do not reach a judgement).
    not_met : tuple of str
        For a count rule: the questions whose answer does not count as met.
    domains : mapping of str to str
        For an algorithm rule: the judgement of each domain.
    path : tuple of str
        For an algorithm rule: the nodes visited, in order.
    explanation : str
        The rule applied to these answers, in words.
    """

    rating: str | None
    not_met: tuple[str, ...] = ()
    domains: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    path: tuple[str, ...] = ()
    explanation: str = ""


@dataclass(frozen=True, slots=True)
class CountRule:
    """Rating by the number of questions not met.

    Parameters
    ----------
    met : tuple of str
        Answers that count as meeting the criterion (e.g. ``("Yes",)``); every other answer,
        including "Can't tell", counts as not met.
    levels : tuple of (int or None, str)
        ``(most questions not met, rating)`` in order; the first level whose bound holds gives
        the rating, and the last level has no bound (``None``).
    questions : tuple of str
        The questions counted (questions with free-text answers are never counted).
    """

    met: tuple[str, ...]
    levels: tuple[tuple[int | None, str], ...]
    questions: tuple[str, ...]
    kind: Literal["count"] = "count"

    def rate(self, answers: Mapping[str, str]) -> RuleRating:
        """The rating for ``answers`` (question id to canonical answer).

        .. math::

            n_{\\text{not met}} = \\#\\{q : a_q \\notin \\text{met}\\}, \\qquad
            \\text{rating} = r_j,\\ j = \\min\\{j : n_{\\text{not met}} \\le b_j\\}
        """
        missing = [q for q in self.questions if q not in answers]
        if missing:
            return RuleRating(
                rating=None,
                explanation=f"no rating: question(s) {', '.join(missing)} not answered",
            )
        not_met = tuple(q for q in self.questions if answers[q] not in self.met)
        n = len(not_met)
        for bound, rating in self.levels:
            if bound is None or n <= bound:
                which = f" ({', '.join(not_met)})" if not_met else ""
                return RuleRating(
                    rating=rating,
                    not_met=not_met,
                    explanation=f"{n} of {len(self.questions)} criteria not met{which}: {rating}",
                )
        raise AssertionError("the last level has no bound")  # enforced when parsing

    def describe(self) -> str:
        """The rule in words, for reports and ``--help``."""
        parts = []
        for bound, rating in self.levels:
            if bound is None:
                parts.append(f"otherwise {rating}")
            elif bound == 0:
                parts.append(f"all criteria met: {rating}")
            else:
                parts.append(f"at most {bound} not met: {rating}")
        met = " or ".join(f"'{m}'" for m in self.met)
        return f"A criterion counts as met when answered {met}; " + "; ".join(parts) + "."


@dataclass(frozen=True, slots=True)
class Branch:
    """One way out of a node: a condition on the node's answers, then a node or a judgement."""

    answers: frozenset[str]
    mode: Literal["any", "all"]
    next: str | None = None
    judgement: str | None = None

    def matches(self, given: Sequence[str]) -> bool:
        if self.mode == "all":
            return all(a in self.answers for a in given)
        return any(a in self.answers for a in given)


@dataclass(frozen=True, slots=True)
class Node:
    """A step of a domain's algorithm: the signalling questions it reads and its branches."""

    id: str
    ask: tuple[str, ...]
    branches: tuple[Branch, ...]


@dataclass(frozen=True, slots=True)
class AlgorithmRule:
    """Decision trees from signalling questions to domain judgements and an overall judgement.

    Parameters
    ----------
    nodes : mapping of str to Node
        Every node, by id.
    parts : tuple of (str, str)
        ``(domain, start node)``; a domain with several parts takes the worst of them.
    order : tuple of str
        The judgements from best to worst (RoB 2: Low, Some concerns, High).
    """

    nodes: Mapping[str, Node]
    parts: tuple[tuple[str, str], ...]
    order: tuple[str, ...]
    kind: Literal["algorithm"] = "algorithm"

    @property
    def domains(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(d for d, _ in self.parts))

    def _walk(self, start: str, answers: Mapping[str, str]) -> tuple[str | None, list[str], str]:
        path: list[str] = []
        node_id: str | None = start
        while node_id is not None:
            node = self.nodes[node_id]
            path.append(node.id)
            missing = [q for q in node.ask if q not in answers]
            if missing:
                return None, path, f"question(s) {', '.join(missing)} not answered"
            given = [answers[q] for q in node.ask]
            for branch in node.branches:
                if branch.matches(given):
                    if branch.judgement is not None:
                        return branch.judgement, path, ""
                    node_id = branch.next
                    break
            else:
                shown = ", ".join(f"{q} = {a}" for q, a in zip(node.ask, given, strict=True))
                return None, path, f"the answers {shown} match no branch of the algorithm"
        raise AssertionError("a branch gives either a node or a judgement")  # parse-time check

    def worst(self, judgements: Sequence[str]) -> str:
        return max(judgements, key=self.order.index)

    def rate(self, answers: Mapping[str, str]) -> RuleRating:
        """Walk each domain's algorithm; the overall judgement is the worst domain's."""
        by_domain: dict[str, list[str]] = {}
        path: list[str] = []
        problems: list[str] = []
        for domain, start in self.parts:
            judgement, visited, problem = self._walk(start, answers)
            path.extend(visited)
            if judgement is None:
                problems.append(f"{domain}: {problem}")
            else:
                by_domain.setdefault(domain, []).append(judgement)
        domains = {d: self.worst(j) for d, j in by_domain.items() if len(j) == len(self._starts(d))}
        if problems:
            return RuleRating(
                rating=None,
                domains=MappingProxyType(domains),
                path=tuple(path),
                explanation="no overall judgement: " + "; ".join(problems),
            )
        overall = self.worst(list(domains.values()))
        shown = ", ".join(f"{d} {j}" for d, j in domains.items())
        return RuleRating(
            rating=overall,
            domains=MappingProxyType(domains),
            path=tuple(path),
            explanation=f"{shown}; overall (worst domain): {overall}",
        )

    def _starts(self, domain: str) -> list[str]:
        return [s for d, s in self.parts if d == domain]

    def describe(self) -> str:
        return (
            "Each domain's judgement follows its algorithm from the signalling questions (the "
            "worst part where a domain has several); the overall judgement is the worst domain "
            f"({' < '.join(self.order)})."
        )


Rule = CountRule | AlgorithmRule


def _strings(value: Any, where: InputLocation, what: str) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise DataError(f"{what} must be a list of strings", location=where)
    return tuple(str(v) for v in value)


def parse_rule(
    table: Mapping[str, Any],
    *,
    answers: Mapping[str, tuple[str, ...]],
    ratings: tuple[str, ...],
    domains: tuple[str, ...],
    file: str,
) -> Rule:
    """Build a rule from a checklist's ``[rule]`` table, checking every name it uses.

    Parameters
    ----------
    table : mapping
        The ``[rule]`` table.
    answers : mapping of str to tuple of str
        Each question's answer options (empty for free text).
    ratings : tuple of str
        The checklist's ratings, best first.
    domains : tuple of str
        The checklist's domain ids.
    file : str
        The checklist's file name, for error messages.
    """
    kind = table.get("kind")
    if kind == "count":
        return _count_rule(table, answers, ratings, file)
    if kind == "algorithm":
        return _algorithm_rule(table, answers, ratings, domains, file)
    raise DataError(
        f"rule kind {kind!r} is not known; choose one of count, algorithm",
        location=InputLocation(file=file, field="rule.kind"),
    )


def _count_rule(
    table: Mapping[str, Any],
    answers: Mapping[str, tuple[str, ...]],
    ratings: tuple[str, ...],
    file: str,
) -> CountRule:
    where = InputLocation(file=file, field="rule.met")
    met = _strings(table.get("met"), where, "rule.met")
    every = {a for options in answers.values() for a in options}
    for m in met:
        if m not in every:
            raise DataError(
                f"rule.met names {m!r}, which is not an answer of this checklist; answers: "
                f"{', '.join(sorted(every))}",
                location=where,
            )
    counted = tuple(q for q, options in answers.items() if options)
    if "questions" in table:
        counted = _strings(table["questions"], InputLocation(file=file), "rule.questions")
        for q in counted:
            if q not in answers or not answers[q]:
                raise DataError(
                    f"rule.questions names {q!r}, which is not a question with answer options",
                    location=InputLocation(file=file, field="rule.questions"),
                )
    raw = table.get("levels")
    if not isinstance(raw, list) or not raw:
        raise DataError(
            'rule.levels must be a list such as [{ not_met_at_most = 0, rating = "High" }, '
            '{ rating = "Low" }]',
            location=InputLocation(file=file, field="rule.levels"),
        )
    levels: list[tuple[int | None, str]] = []
    for i, level in enumerate(raw):
        at = InputLocation(file=file, field=f"rule.levels[{i}]")
        if not isinstance(level, Mapping) or level.get("rating") not in ratings:
            raise DataError(
                f"each level needs a rating, one of {', '.join(ratings)}",
                location=at,
            )
        bound = level.get("not_met_at_most")
        if bound is not None and (not isinstance(bound, int) or bound < 0):
            raise DataError("not_met_at_most must be a whole number >= 0", location=at)
        if bound is None and i != len(raw) - 1:
            raise DataError("only the last level may leave out not_met_at_most", location=at)
        levels.append((bound, str(level["rating"])))
    if levels[-1][0] is not None:
        raise DataError(
            "the last level must have no not_met_at_most (it catches every other count)",
            location=InputLocation(file=file, field="rule.levels"),
        )
    return CountRule(met=met, levels=tuple(levels), questions=counted)


def _branch(raw: Any, node: str, options: set[str], file: str, i: int) -> Branch:
    at = InputLocation(file=file, field=f"rule.nodes.{node}.branches[{i}]")
    if not isinstance(raw, Mapping):
        raise DataError(
            'a branch is a table such as { any = ["Y", "PY"], next = "..." }', location=at
        )
    modes = [m for m in ("any", "all") if m in raw]
    if len(modes) != 1:
        raise DataError("a branch needs exactly one of 'any' or 'all'", location=at)
    mode: Literal["any", "all"] = "any" if modes[0] == "any" else "all"
    values = frozenset(_strings(raw[mode], at, mode))
    unknown = sorted(values - options)
    if unknown:
        raise DataError(
            f"branch answers {', '.join(unknown)} are not answers of the questions asked "
            f"({', '.join(sorted(options))})",
            location=at,
        )
    target, judgement = raw.get("next"), raw.get("judgement")
    if (target is None) == (judgement is None):
        raise DataError("a branch needs exactly one of 'next' or 'judgement'", location=at)
    return Branch(
        answers=values,
        mode=mode,
        next=None if target is None else str(target),
        judgement=None if judgement is None else str(judgement),
    )


def _algorithm_rule(
    table: Mapping[str, Any],
    answers: Mapping[str, tuple[str, ...]],
    ratings: tuple[str, ...],
    domains: tuple[str, ...],
    file: str,
) -> AlgorithmRule:
    raw_nodes = table.get("nodes")
    if not isinstance(raw_nodes, list) or not raw_nodes:
        raise DataError(
            "an algorithm rule needs [[rule.nodes]] tables",
            location=InputLocation(file=file, field="rule.nodes"),
        )
    nodes: dict[str, Node] = {}
    for raw in raw_nodes:
        node_id = str(raw.get("id", ""))
        at = InputLocation(file=file, field=f"rule.nodes.{node_id or '?'}")
        if not node_id or node_id in nodes:
            raise DataError("each node needs a unique id", location=at)
        ask = _strings(raw.get("ask"), at, "ask")
        for q in ask:
            if q not in answers:
                raise DataError(f"node asks {q!r}, which is not a question", location=at)
        options = {a for q in ask for a in answers[q]}
        branches = tuple(
            _branch(b, node_id, options, file, i) for i, b in enumerate(raw.get("branches", []))
        )
        if not branches:
            raise DataError("a node needs at least one branch", location=at)
        nodes[node_id] = Node(id=node_id, ask=ask, branches=branches)
    for node in nodes.values():
        for branch in node.branches:
            at = InputLocation(file=file, field=f"rule.nodes.{node.id}")
            if branch.next is not None and branch.next not in nodes:
                raise DataError(f"branch goes to unknown node {branch.next!r}", location=at)
            if branch.judgement is not None and branch.judgement not in ratings:
                raise DataError(
                    f"judgement {branch.judgement!r} is not one of {', '.join(ratings)}",
                    location=at,
                )
    parts: list[tuple[str, str]] = []
    for i, raw in enumerate(table.get("parts", [])):
        at = InputLocation(file=file, field=f"rule.parts[{i}]")
        domain, start = str(raw.get("domain", "")), str(raw.get("start", ""))
        if domain not in domains:
            raise DataError(f"part of unknown domain {domain!r}", location=at)
        if start not in nodes:
            raise DataError(f"part starts at unknown node {start!r}", location=at)
        _check_acyclic(nodes, start, at)
        parts.append((domain, start))
    missing = [d for d in domains if d not in {p[0] for p in parts}]
    if missing:
        raise DataError(
            f"domain(s) {', '.join(missing)} have no [[rule.parts]]",
            location=InputLocation(file=file, field="rule.parts"),
        )
    return AlgorithmRule(nodes=MappingProxyType(nodes), parts=tuple(parts), order=ratings)


def _check_acyclic(nodes: Mapping[str, Node], start: str, at: InputLocation) -> None:
    """Refuse an algorithm that can loop: every path from ``start`` must end in a judgement."""

    def visit(node_id: str, seen: tuple[str, ...]) -> None:
        if node_id in seen:
            raise DataError(f"the algorithm loops: {' -> '.join((*seen, node_id))}", location=at)
        for branch in nodes[node_id].branches:
            if branch.next is not None:
                visit(branch.next, (*seen, node_id))

    visit(start, ())
