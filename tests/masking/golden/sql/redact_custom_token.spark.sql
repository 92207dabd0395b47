CASE
  WHEN `v` IS NULL
  THEN CAST(NULL AS STRING)
  WHEN `v` = ''
  THEN ''
  ELSE '[hidden]'
END
