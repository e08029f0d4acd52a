# nbgrader in every user pod: the exchange is a shared ReadWriteMany volume (see README.md).
c = get_config()  # noqa: F821
c.Exchange.root = "/srv/nbgrader/exchange"
c.CourseDirectory.course_id = "leerplein"
c.Exchange.course_id = "leerplein"
c.ExchangeFactory.submit = "leerplein.course.nbgrader_exchange.PrivateSubmit"  # the submission folder stays private
