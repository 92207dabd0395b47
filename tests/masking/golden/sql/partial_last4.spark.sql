CASE
  WHEN `v` IS NULL
  THEN CAST(NULL AS STRING)
  WHEN `v` = ''
  THEN ''
  ELSE CASE
    WHEN NOT (
      LENGTH(`v`) >= 8
    )
    THEN 'XXXXX'
    ELSE SUBSTRING(`v`, 1, 0) || '***' || RIGHT(`v`, 4)
  END
END
