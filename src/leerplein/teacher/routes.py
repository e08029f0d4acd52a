"""The teacher workspace's URLs."""

from __future__ import annotations

from leerplein.accounts.people_page import People
from leerplein.accounts.workspace import Passwords, ShownOnce
from leerplein.course.course import Course
from leerplein.teacher.handlers import (Assignment, AssignmentStep, Attendance, Badges, Cohort, Export, Home, Log,
                                        Progress, Report)
from leerplein.teacher.forget_page import Forget
from leerplein.teacher.observations import Observations
from leerplein.teacher.assessment_pages import (Calibration, QualityHome, Resubmissions, SecondGrade, SecondList,
                                                Similarity)


def routes(course: Course, base: str) -> list:
    args = {"course": course, "base": base}
    return [(base, Home, args), (base + r"opdracht/([^/]+)", Assignment, args),
            (base + r"opdracht/([^/]+)/([a-z]+)", AssignmentStep, args), (base + "aanwezigheid", Attendance, args),
            (base + "voortgang", Progress, args), (base + "rapport", Report, args), (base + "cijfers", Export, args),
            (base + "logboek", Log, args), (base + "badges", Badges, args),
            (base + r"observatie/?([a-z0-9-]*)", Observations, args),
            (base + "groep", Cohort, args), (base + "vergeten", Forget, args),
            (base + "toetskwaliteit", QualityHome, args), (base + r"herkansing/([^/]+)", Resubmissions, args),
            (base + r"tweede/([^/]+)", SecondList, args), (base + r"tweede/([^/]+)/([^/]+)", SecondGrade, args),
            (base + r"kalibratie/?([0-9a-f]*)", Calibration, args), (base + r"gelijkenis/([^/]+)", Similarity, args),
            (base + "wachtwoorden", Passwords, args), (base + r"wachtwoorden/brief/([A-Za-z0-9_-]+)", ShownOnce, args),
            (base + "deelnemers", People, args)]
