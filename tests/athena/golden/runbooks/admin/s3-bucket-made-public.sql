-- runbook s3-bucket-made-public: S3 buckets made public
-- athena SQL for role admin over cloudtrail_trailmask
-- run as a prepared statement: PREPARE q FROM <this statement>; EXECUTE q USING <values>
-- values, in order: 1: $start, 2: $start, 3: $end, 4: $end
WITH changes AS (
  SELECT
    eventTime,
    eventName,
    recipientAccountId,
    userIdentity.arn AS principal_arn,
    sourceIPAddress,
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.bucketName'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.bucketName'))
    ) AS bucket,
    CAST(requestParameters AS VARCHAR) AS request_text,
    CASE
      WHEN CASE
        WHEN SUBSTR(JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.bucketPolicy')), 1, 1) IS NULL
        THEN NULL
        WHEN SUBSTR(JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.bucketPolicy')), 1, 1) = '{'
        THEN 'OBJECT'
        WHEN SUBSTR(JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.bucketPolicy')), 1, 1) = '['
        THEN 'ARRAY'
        WHEN SUBSTR(JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.bucketPolicy')), 1, 1) = '"'
        THEN 'VARCHAR'
        WHEN SUBSTR(JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.bucketPolicy')), 1, 1) = 'n'
        THEN 'NULL'
        WHEN SUBSTR(JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.bucketPolicy')), 1, 1) = 't'
        THEN 'BOOLEAN'
        WHEN SUBSTR(JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.bucketPolicy')), 1, 1) = 'f'
        THEN 'BOOLEAN'
        WHEN NOT REGEXP_LIKE(JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.bucketPolicy')), '^-?[0-9]+$')
        THEN 'DOUBLE'
        ELSE CASE
          WHEN JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.bucketPolicy')) LIKE '-%'
          THEN 'BIGINT'
          ELSE 'UBIGINT'
        END
      END = 'VARCHAR'
      THEN CASE
        WHEN CASE
          WHEN COALESCE(
            JSON_EXTRACT_SCALAR(requestParameters, '$.bucketPolicy'),
            JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.bucketPolicy'))
          ) IS NULL
          THEN NULL
          ELSE NOT TRY(
            JSON_PARSE(
              COALESCE(
                JSON_EXTRACT_SCALAR(requestParameters, '$.bucketPolicy'),
                JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.bucketPolicy'))
              )
            )
          ) IS NULL
        END
        THEN CAST(COALESCE(
          JSON_EXTRACT_SCALAR(requestParameters, '$.bucketPolicy'),
          JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.bucketPolicy'))
        ) AS VARCHAR)
      END
      ELSE JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.bucketPolicy'))
    END AS policy,
    eventID
  FROM (
    SELECT
      *
    FROM cloudtrail_trailmask AS tm_s
  ) AS events
  WHERE
    (
      CAST(? AS TIMESTAMP) IS NULL
      OR eventTime >= CAST(? AS TIMESTAMP)
    )
    AND (
      CAST(? AS TIMESTAMP) IS NULL
      OR eventTime < CAST(? AS TIMESTAMP)
    )
    AND eventSource = 's3.amazonaws.com'
    AND errorCode IS NULL
    AND eventName IN (
      'PutBucketPolicy',
      'PutBucketAcl',
      'DeleteBucketPublicAccessBlock',
      'PutBucketPublicAccessBlock',
      'DeletePublicAccessBlock',
      'PutPublicAccessBlock'
    )
), statements AS (
  SELECT
    *,
    CASE
      WHEN CASE
        WHEN SUBSTR(JSON_FORMAT(JSON_EXTRACT(policy, '$.Statement')), 1, 1) IS NULL
        THEN NULL
        WHEN SUBSTR(JSON_FORMAT(JSON_EXTRACT(policy, '$.Statement')), 1, 1) = '{'
        THEN 'OBJECT'
        WHEN SUBSTR(JSON_FORMAT(JSON_EXTRACT(policy, '$.Statement')), 1, 1) = '['
        THEN 'ARRAY'
        WHEN SUBSTR(JSON_FORMAT(JSON_EXTRACT(policy, '$.Statement')), 1, 1) = '"'
        THEN 'VARCHAR'
        WHEN SUBSTR(JSON_FORMAT(JSON_EXTRACT(policy, '$.Statement')), 1, 1) = 'n'
        THEN 'NULL'
        WHEN SUBSTR(JSON_FORMAT(JSON_EXTRACT(policy, '$.Statement')), 1, 1) = 't'
        THEN 'BOOLEAN'
        WHEN SUBSTR(JSON_FORMAT(JSON_EXTRACT(policy, '$.Statement')), 1, 1) = 'f'
        THEN 'BOOLEAN'
        WHEN NOT REGEXP_LIKE(JSON_FORMAT(JSON_EXTRACT(policy, '$.Statement')), '^-?[0-9]+$')
        THEN 'DOUBLE'
        ELSE CASE
          WHEN JSON_FORMAT(JSON_EXTRACT(policy, '$.Statement')) LIKE '-%'
          THEN 'BIGINT'
          ELSE 'UBIGINT'
        END
      END = 'ARRAY'
      THEN CASE
        WHEN policy IS NULL
        THEN NULL
        ELSE COALESCE(
          TRANSFORM(
            TRY_CAST(JSON_EXTRACT(policy, '$.Statement') AS ARRAY(JSON)),
            tm_j -> JSON_FORMAT(tm_j)
          ),
          ARRAY[]
        )
      END
      WHEN NOT policy IS NULL
      THEN ARRAY[JSON_FORMAT(JSON_EXTRACT(policy, '$.Statement'))]
    END AS statement_list
  FROM changes
), judged AS (
  SELECT
    *,
    CASE
      WHEN eventName IN ('DeleteBucketPublicAccessBlock', 'DeletePublicAccessBlock')
      THEN 'Block Public Access removed'
      WHEN eventName IN ('PutBucketPublicAccessBlock', 'PutPublicAccessBlock')
      AND REGEXP_LIKE(
        request_text,
        '"(BlockPublicAcls|IgnorePublicAcls|BlockPublicPolicy|RestrictPublicBuckets)":\s*false'
      )
      THEN 'Block Public Access weakened'
      WHEN eventName = 'PutBucketAcl'
      AND (
        CONTAINS(request_text, 'acs.amazonaws.com/groups/global/AllUsers')
        OR CONTAINS(request_text, 'acs.amazonaws.com/groups/global/AuthenticatedUsers')
        OR REGEXP_LIKE(
          request_text,
          '"x-amz-acl":\s*\[?\s*"(public-read|public-read-write|authenticated-read)"'
        )
      )
      THEN 'ACL grants everyone'
      WHEN eventName = 'PutBucketPolicy'
      AND CARDINALITY(
        FILTER(
          COALESCE(statement_list, ARRAY[]),
          s -> (
            COALESCE(JSON_EXTRACT_SCALAR(s, '$.Effect'), JSON_FORMAT(JSON_EXTRACT(s, '$.Effect')))
          ) = 'Allow'
          AND (
            JSON_FORMAT(JSON_EXTRACT(s, '$.Condition'))
          ) IS NULL
          AND (
            (
              COALESCE(JSON_EXTRACT_SCALAR(s, '$.Principal'), JSON_FORMAT(JSON_EXTRACT(s, '$.Principal')))
            ) = '*'
            OR (
              COALESCE(
                JSON_EXTRACT_SCALAR(s, '$.Principal.AWS'),
                JSON_FORMAT(JSON_EXTRACT(s, '$.Principal.AWS'))
              )
            ) = '*'
            OR CONTAINS(
              COALESCE(
                COALESCE(
                  JSON_EXTRACT_SCALAR(s, '$.Principal.AWS'),
                  JSON_FORMAT(JSON_EXTRACT(s, '$.Principal.AWS'))
                ),
                ''
              ),
              '"*"'
            )
          )
        )
      ) > 0
      THEN 'policy allows any principal without a condition'
    END AS reason
  FROM statements
)
SELECT
  eventTime,
  eventName,
  bucket,
  reason,
  principal_arn,
  sourceIPAddress,
  recipientAccountId,
  eventID
FROM judged
WHERE
  NOT reason IS NULL
ORDER BY
  eventTime,
  eventID
