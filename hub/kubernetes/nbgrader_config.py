# nbgrader in every user pod: the exchange is a shared ReadWriteMany volume (see README.md).
c = get_config()  # noqa: F821
c.Exchange.root = "/srv/nbgrader/exchange"
c.CourseDirectory.course_id = "leerplein"
c.Exchange.course_id = "leerplein"
# Leerplein's exchange steps (leerplein.course.course.EXCHANGE_CLASSES): the submission folder stays
# private, and the exchange root stays root's (students only write in inbound)
c.ExchangeFactory.release_assignment = "leerplein.course.intake.nbgrader_exchange.GuardedReleaseAssignment"
c.ExchangeFactory.submit = "leerplein.course.intake.nbgrader_exchange.PrivateSubmit"
c.ExchangeFactory.fetch_assignment = "leerplein.course.intake.nbgrader_exchange.GuardedFetchAssignment"
c.ExchangeFactory.fetch_feedback = "leerplein.course.intake.nbgrader_exchange.GuardedFetchFeedback"
c.ExchangeFactory.list = "leerplein.course.intake.nbgrader_exchange.GuardedList"
c.ExchangeFactory.collect = "leerplein.course.intake.nbgrader_exchange.GuardedCollect"
c.ExchangeFactory.release_feedback = "leerplein.course.intake.nbgrader_exchange.GuardedReleaseFeedback"
