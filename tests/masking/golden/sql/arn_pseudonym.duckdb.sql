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
        ELSE 'acct_' || SUBSTRING(
          SHA256(
            GETVARIABLE('tm_mask_key__k') || ':account_id:' || REGEXP_EXTRACT("v", '^arn:[^:]*:[^:]*:[^:]*:([^:]*):', 1)
          ),
          1,
          12
        )
      END,
      ':',
      REGEXP_EXTRACT(
        "v",
        '^arn:[^:]*:(?:[^:s][^:]*|s|s[^:3][^:]*|s3[^:]+):[^:]*:[^:]*:([A-Za-z0-9-]+[/:]).',
        1
      ),
      'name_' || SUBSTRING(
        SHA256(
          GETVARIABLE('tm_mask_key__k') || ':principal:' || CASE
            WHEN REGEXP_EXTRACT(
              "v",
              '^arn:[^:]*:(?:[^:s][^:]*|s|s[^:3][^:]*|s3[^:]+):[^:]*:[^:]*:([A-Za-z0-9-]+[/:]).',
              1
            ) = ''
            THEN REGEXP_EXTRACT("v", '^arn:[^:]*:[^:]*:[^:]*:[^:]*:(.*)$', 1)
            ELSE SUBSTRING(
              REGEXP_EXTRACT("v", '^arn:[^:]*:[^:]*:[^:]*:[^:]*:(.*)$', 1),
              LENGTH(
                REGEXP_EXTRACT(
                  "v",
                  '^arn:[^:]*:(?:[^:s][^:]*|s|s[^:3][^:]*|s3[^:]+):[^:]*:[^:]*:([A-Za-z0-9-]+[/:]).',
                  1
                )
              ) + 1
            )
          END
        ),
        1,
        12
      )
    )
    ELSE 'name_' || SUBSTRING(SHA256(GETVARIABLE('tm_mask_key__k') || ':principal:' || "v"), 1, 12)
  END
END
