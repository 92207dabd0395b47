CASE
  WHEN "v" IS NULL
  THEN CAST(NULL AS TEXT)
  WHEN "v" = ''
  THEN ''
  ELSE '[hidden]'
END
