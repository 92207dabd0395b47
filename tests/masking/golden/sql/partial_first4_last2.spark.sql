CASE
  WHEN `v` IS NULL
  THEN CAST(NULL AS STRING)
  WHEN `v` = ''
  THEN ''
  ELSE CASE
    WHEN NOT (
      LENGTH(`v`) >= 10
    )
    THEN 'XXXXX'
    ELSE SUBSTRING(`v`, 1, 4) || '…' || RIGHT(`v`, 2)
  END
END
