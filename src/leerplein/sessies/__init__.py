"""Session plans for learning together: De Ontmoetingen, the action-learning track and the
short version. One YAML file per meeting in sessies/ is the single source: the book shows it
(plans.render_html), and Peiling fills a poll session with its questions."""
