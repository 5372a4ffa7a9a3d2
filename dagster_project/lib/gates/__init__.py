"""The publication gates: Great Expectations for each published dataset's rules
(``quality``, suites written by ``gx_project``), the privacy check (``privacy``), and
the store of their latest results (``results``)."""
