"""CSV uploads of an international office: ``formats`` (the two files and their columns),
``parsing`` (bytes to rows), ``validation`` (every row checked before anything is written),
``uploads`` (a checked upload kept), ``apply`` (one transaction, all or nothing), ``results``
(the result file), ``progress`` and ``tasks`` (large files in the background)."""
