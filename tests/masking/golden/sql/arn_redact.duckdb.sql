CASE
  WHEN "v" IS NULL
  THEN CAST(NULL AS TEXT)
  ELSE CASE
    WHEN REGEXP_EXTRACT("v", '^arn:[^:]*:[^:]*:[^:]*:([^:]*):', 1) = 'aws'
    THEN "v"
    WHEN REGEXP_MATCHES("v", '^arn:[^:]*:[^:]*:[^:]*:[^:]*:.+$')
    THEN CONCAT(
      REGEXP_EXTRACT("v", '^(arn:[^:]*:[^:]*:[^:]*:)[^:]*:.', 1),
      CASE
        WHEN REGEXP_EXTRACT("v", '^arn:[^:]*:[^:]*:[^:]*:([^:]*):', 1) IN ('', 'aws')
        THEN REGEXP_EXTRACT("v", '^arn:[^:]*:[^:]*:[^:]*:([^:]*):', 1)
        ELSE 'XXXXX'
      END,
      ':',
      REGEXP_EXTRACT(
        "v",
        '^arn:[^:]*:(?:[^:s][^:]*|s|s[^:3][^:]*|s3[^:]+):[^:]*:[^:]*:([A-Za-z0-9-]+[/:]).',
        1
      ),
      'XXXXX'
    )
    ELSE 'XXXXX'
  END
END
