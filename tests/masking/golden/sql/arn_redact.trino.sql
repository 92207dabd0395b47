CASE
  WHEN "v" IS NULL
  THEN CAST(NULL AS VARCHAR)
  ELSE CASE
    WHEN REGEXP_EXTRACT("v", '^arn:[^:]*:[^:]*:[^:]*:([^:]*):', 1) = 'aws'
    THEN "v"
    WHEN REGEXP_LIKE("v", '^arn:[^:]*:[^:]*:[^:]*:[^:]*:.+$')
    THEN CONCAT(
      COALESCE(CAST(REGEXP_EXTRACT("v", '^(arn:[^:]*:[^:]*:[^:]*:)[^:]*:.', 1) AS VARCHAR), ''),
      COALESCE(
        CAST(CASE
          WHEN REGEXP_EXTRACT("v", '^arn:[^:]*:[^:]*:[^:]*:([^:]*):', 1) IN ('', 'aws')
          THEN REGEXP_EXTRACT("v", '^arn:[^:]*:[^:]*:[^:]*:([^:]*):', 1)
          ELSE 'XXXXX'
        END AS VARCHAR),
        ''
      ),
      COALESCE(CAST(':' AS VARCHAR), ''),
      COALESCE(
        CAST(REGEXP_EXTRACT(
          "v",
          '^arn:[^:]*:(?:[^:s][^:]*|s|s[^:3][^:]*|s3[^:]+):[^:]*:[^:]*:([A-Za-z0-9-]+[/:]).',
          1
        ) AS VARCHAR),
        ''
      ),
      COALESCE(CAST('XXXXX' AS VARCHAR), '')
    )
    ELSE 'XXXXX'
  END
END
