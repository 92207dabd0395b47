CASE
  WHEN `v` IS NULL
  THEN CAST(NULL AS STRING)
  ELSE CASE
    WHEN REGEXP_EXTRACT(`v`, '^arn:[^:]*:[^:]*:[^:]*:([^:]*):') = 'aws'
    THEN `v`
    WHEN `v` RLIKE '^arn:[^:]*:[^:]*:[^:]*:[^:]*:.+$'
    THEN CONCAT(
      COALESCE(REGEXP_EXTRACT(`v`, '^(arn:[^:]*:[^:]*:[^:]*:)[^:]*:.'), ''),
      COALESCE(
        CASE
          WHEN REGEXP_EXTRACT(`v`, '^arn:[^:]*:[^:]*:[^:]*:([^:]*):') IN ('', 'aws')
          THEN REGEXP_EXTRACT(`v`, '^arn:[^:]*:[^:]*:[^:]*:([^:]*):')
          ELSE 'XXXXX'
        END,
        ''
      ),
      ':',
      COALESCE(
        REGEXP_EXTRACT(
          `v`,
          '^arn:[^:]*:(?:[^:s][^:]*|s|s[^:3][^:]*|s3[^:]+):[^:]*:[^:]*:([A-Za-z0-9-]+[/:]).'
        ),
        ''
      ),
      'XXXXX'
    )
    ELSE 'XXXXX'
  END
END
