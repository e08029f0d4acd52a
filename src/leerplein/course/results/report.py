"""`leerplein course report`: one HTML page for the teacher with completion per module, score
distributions, the average level per rubric criterion, agreement between two assessors (weighted
kappa per criterion), which attempt counts where a herkansing was opened, and every per-student
problem. Charts are matplotlib PNGs embedded in the page; all student text is escaped."""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path

from leerplein.course.prepare.assign import exercise_slugs, load_exercise
from leerplein.course.grading.autograde import load_statuses, submissions
from leerplein.course.course import Course, write_atomic
from leerplein.course.grading.rubric_grades import load_levels


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    return base64.b64encode(buf.getvalue()).decode()


def collect(course: Course, only: list[str] | None = None) -> dict:
    """The report's numbers; `only` limits them to these students (a teacher's own cohort)."""
    from nbgrader.api import Gradebook, MissingEntry

    from leerplein.course.results.progress import is_graded

    data = {"modules": [], "criteria": [], "problems": [], "agreement": []}
    with Gradebook(course.gradebook_url) as gb:
        n_students = len(only) if only is not None else len(gb.students)
        for slug in exercise_slugs(course.root):
            exercise = load_exercise(course.root, slug)
            handed_in = [s for s in submissions(course, slug) if only is None or s in only]
            scores, waiting = [], 0
            for student in handed_in:
                try:
                    score = gb.find_submission(slug, student).score
                except MissingEntry:  # collected, not autograded yet
                    waiting += 1
                    continue
                if is_graded(course, slug, student, exercise):
                    scores.append(score)
                else:  # an ungraded reflection is not a 0: left out of the average, counted apart
                    waiting += 1
            max_score = sum(exercise.points(q["id"]) for q in exercise.data["vragen"])
            data["modules"].append({"slug": slug, "titel": exercise.data["titel"], "submitted": len(handed_in),
                                    "students": n_students, "scores": scores, "waiting": waiting, "max": max_score})
            for qid, criteria in exercise.rubric.items():
                for c in criteria:
                    chosen = [load_levels(course, slug, s).get(qid, {}).get("levels", {}).get(c.id) for s in handed_in]
                    points = [lv.punten for name in chosen for lv in c.niveaus if lv.naam == name]
                    data["criteria"].append({"module": slug, "label": f"{exercise.data['titel']}: {c.titel}",
                                             "mean": sum(points) / len(points) if points else None,
                                             "max": c.max_points, "n": len(points)})
            data["agreement"] += _agreement(course, slug, exercise, handed_in)
            for student, status in load_statuses(course, slug).items():
                if only is not None and student not in only:
                    continue
                for message in status.get("messages", []):
                    data["problems"].append((exercise.data["titel"], student, status.get("status", ""), message))
    return data


def _agreement(course: Course, slug: str, exercise, students: list[str]) -> list[dict]:
    """Weighted kappa per criterion where a second assessor graded (second_assessor.agreement)."""
    from leerplein.course.grading.second_assessor import agreement, pairs

    found = pairs(course, slug, students)
    if not found:
        return []
    kappa = agreement(course, slug, students)
    rows = []
    for qid, criteria in exercise.rubric.items():
        for c in criteria:
            mine = [p for p in found if p.question == qid and p.criterion == c.id]
            if mine:
                rows.append({"module": exercise.data["titel"], "criterion": c.titel, "n": len(mine), "kappa": kappa[f"{qid}/{c.id}"],
                             "same": sum(p.first == p.second for p in mine)})
    return rows


def _agreement_table(rows: list[dict]) -> str:
    if not rows:
        return "<p>Nog geen werk door twee beoordelaars beoordeeld.</p>"
    body = "".join(
        f"<tr><td>{html.escape(r['module'])}</td><td>{html.escape(r['criterion'])}</td><td>{r['n']}</td>"
        f"<td>{r['same']} van {r['n']}</td><td>"
        + (f"{r['kappa']:.2f}".replace(".", ",") if r["kappa"] is not None else "niet te berekenen") + "</td></tr>"
        for r in rows)
    return ("<p>Gewogen kappa van Cohen (lineair) per criterium, over het werk dat twee beoordelaars los van elkaar "
            "beoordeelden: 1 is volledige overeenstemming, 0 niet meer dan toeval. Bij minder dan twee "
            "inleveringen of zonder spreiding is kappa niet te berekenen.</p><table><thead><tr><th scope=col>Module</th>"
            "<th scope=col>Criterium</th><th scope=col>Dubbel beoordeeld</th><th scope=col>Zelfde niveau</th>"
            f"<th scope=col>Kappa</th></tr></thead><tbody>{body}</tbody></table>")


def _wrap(text: str, width: int) -> str:
    """A title on a chart: on more lines rather than cut off."""
    import textwrap

    return textwrap.fill(text, width)


def _mean(module: dict) -> str:
    if not module["scores"]:
        return "–"
    return f"{sum(module['scores']) / len(module['scores']):.1f} van {module['max']:g}".replace(".", ",")


def _img(png: str, alt: str, empty: str) -> str:
    return f'<img src="data:image/png;base64,{png}" alt="{html.escape(alt)}">' if png else f"<p>{empty}</p>"


def _points(progress) -> str:
    got, out_of = progress.total
    text = f"{got:g} van {out_of:g}".replace(".", ",")
    waiting = sum(1 for a in progress.counted if a.status == "ingeleverd")
    text = f"{text} (nog niet nagekeken: {waiting})" if waiting else text
    notes = [f"{a.titel}: {a.herkansing}" for a in progress.counted if a.herkansing]
    return f"{text}; {'; '.join(notes)}" if notes else text  # which attempt counts, with a herkansing


def _students(rows: list) -> str:
    if not rows:
        return "<p>Nog geen studenten.</p>"
    body = "".join(f"<tr><th scope=row>{html.escape(p.student)}</th><td>{'ja' if p.passed else 'nee'}</td>"
                   f"<td>{html.escape(_points(p))}</td><td>{html.escape('; '.join(p.open_items) or '-')}</td></tr>"
                   for p in rows)
    return ("<table><thead><tr><th scope=col>Student</th><th scope=col>Geslaagd</th><th scope=col>Punten (tellen mee)</th>"
            f"<th scope=col>Nog open</th></tr></thead><tbody>{body}</tbody></table>")


def render(data: dict) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    modules = data["modules"]
    fig, ax = plt.subplots(figsize=(7, 2.8))
    labels = [_wrap(m["titel"], 34) for m in modules]
    done = [100 * m["submitted"] / m["students"] if m["students"] else 0 for m in modules]
    ax.barh(labels, done, color="#1a5fb4")
    ax.set_xlim(0, 100)
    ax.set_xlabel("ingeleverd (% van de studenten)")
    ax.invert_yaxis()
    completion = _png(fig)
    plt.close(fig)
    completion_alt = "; ".join(f"{m['titel']}: {m['submitted']} van {m['students']}" for m in modules)

    scored = [m for m in modules if m["scores"]]  # no chart for modules without scores
    distribution = ""
    if scored:
        fig, axes = plt.subplots(1, len(scored), figsize=(2.4 * len(scored), 2.4), sharey=True, squeeze=False)
        for ax, m in zip(axes[0], scored):
            ax.hist(m["scores"], bins=range(0, int(m["max"]) + 2), color="#2e7d32", align="left")
            ax.set_xlim(-0.5, m["max"] + 0.5)
            ax.set_title(_wrap(m["titel"], 24), fontsize=8)
            ax.set_xlabel("punten", fontsize=8)
            ax.yaxis.get_major_locator().set_params(integer=True)
        distribution = _png(fig)
        plt.close(fig)
    dist_alt = "; ".join(
        f"{m['titel']}: gemiddeld {sum(m['scores']) / len(m['scores']):.1f} van {m['max']:g}" if m["scores"]
        else f"{m['titel']}: nog geen punten" for m in modules)

    crit = [c for c in data["criteria"] if c["mean"] is not None]
    criteria = ""
    if crit:  # nothing graded yet: a sentence, not an empty chart with a meaningless axis
        fig, ax = plt.subplots(figsize=(7, max(1.5, 0.3 * len(crit) + 0.5)))
        ax.barh([_wrap(c["label"], 48) for c in crit], [c["mean"] / c["max"] * 100 for c in crit], color="#8e3b8e")
        ax.set_xlim(0, 100)
        ax.set_xlabel("gemiddeld niveau (% van de hoogste punten)")
        ax.invert_yaxis()
        criteria = _png(fig)
        plt.close(fig)
    crit_alt = "; ".join(f"{c['label']}: {c['mean']:.1f} van {c['max']:g}" for c in crit) or "nog niets beoordeeld"

    table = "".join(f"<tr><td>{html.escape(m)}</td><td>{html.escape(s)}</td><td>{html.escape(st)}</td>"
                    f"<td>{html.escape(msg)}</td></tr>" for m, s, st, msg in data["problems"])
    rows = "".join(f"<tr><td>{html.escape(m['titel'])}</td><td>{m['submitted']} van {m['students']}</td>"
                   f"<td>{m.get('waiting', 0) or '–'}</td><td>{_mean(m)}</td></tr>" for m in modules)
    return f"""<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Leerplein: voortgang</title>
<style>body{{font-family:system-ui,sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem;color:#1d2125}}
table{{border-collapse:collapse}}td,th{{border:1px solid #c7ccd1;padding:.3rem .6rem;text-align:left}}img{{max-width:100%}}</style>
</head><body><main><h1>Voortgang van de cursus{html.escape(f" (groep {data['groep']})") if data.get("groep") else ""}</h1>
<h2>Inleveringen per module</h2><img src="data:image/png;base64,{completion}" alt="{html.escape(completion_alt)}">
<table><thead><tr><th scope=col>Module</th><th scope=col>Ingeleverd</th><th scope=col>Nog niet nagekeken</th><th scope=col>Gemiddeld aantal punten (nagekeken werk)</th></tr></thead><tbody>{rows}</tbody></table>
<h2>Verdeling van de punten</h2>{_img(distribution, dist_alt, "Nog geen punten.")}
<h2>Gemiddeld niveau per rubriccriterium</h2>{_img(criteria, crit_alt, "Nog niets beoordeeld.")}
<h2>Overeenstemming tussen beoordelaars</h2>{_agreement_table(data.get("agreement", []))}
<h2>Per student</h2>{_students(data.get("students", []))}
<h2>Meldingen per student</h2>
{'<table><thead><tr><th scope=col>Module</th><th scope=col>Student</th><th scope=col>Status</th><th scope=col>Melding</th></tr></thead><tbody>' + table + '</tbody></table>' if table else '<p>Geen meldingen.</p>'}
</main></body></html>"""


def write_report(course: Course, target: Path, only: set[str] | None = None, cohort: str = "") -> Path:
    """`only`/`cohort`: one cohort's students, and the report says which cohort."""
    from leerplein.course.results.progress import everyone

    data = collect(course, sorted(only) if only is not None else None)
    data["students"] = everyone(course, only)
    data["groep"] = cohort
    write_atomic(target, render(data))
    return target
