-- runbook ami-activity: Machine images implanted or launched from unknown sources
-- athena SQL for role investigator over cloudtrail_trailmask_investigator
-- run as a prepared statement: PREPARE q FROM <this statement>; EXECUTE q USING <values>
-- values, in order: 1: $start, 2: $start, 3: $end, 4: $end, 5: $start, 6: $start, 7: $end, 8: $end, 9: $known_images
WITH made AS (
  SELECT DISTINCT
    COALESCE(
      JSON_EXTRACT_SCALAR(responseElements, '$.imageId'),
      JSON_FORMAT(JSON_EXTRACT(responseElements, '$.imageId'))
    ) AS image_id
  FROM (
    SELECT
      *
    FROM cloudtrail_trailmask_investigator AS tm_s
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
    AND eventSource = 'ec2.amazonaws.com'
    AND eventName IN ('CreateImage', 'CopyImage', 'RegisterImage')
    AND errorCode IS NULL
    AND NOT (
      COALESCE(
        JSON_EXTRACT_SCALAR(responseElements, '$.imageId'),
        JSON_FORMAT(JSON_EXTRACT(responseElements, '$.imageId'))
      )
    ) IS NULL
), calls AS (
  SELECT
    eventTime,
    eventName,
    CASE
      WHEN eventName = 'RunInstances'
      THEN 'launch-unknown-image'
      ELSE 'implant-image'
    END AS kind,
    COALESCE(
      COALESCE(
        JSON_EXTRACT_SCALAR(requestParameters, '$.instancesSet.items[0].imageId'),
        JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.instancesSet.items[0].imageId'))
      ),
      COALESCE(
        JSON_EXTRACT_SCALAR(responseElements, '$.imageId'),
        JSON_FORMAT(JSON_EXTRACT(responseElements, '$.imageId'))
      ),
      COALESCE(
        JSON_EXTRACT_SCALAR(requestParameters, '$.sourceImageId'),
        JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.sourceImageId'))
      ),
      COALESCE(
        JSON_EXTRACT_SCALAR(requestParameters, '$.repositoryName'),
        JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.repositoryName'))
      )
    ) AS image,
    COALESCE(
      COALESCE(
        JSON_EXTRACT_SCALAR(requestParameters, '$.name'),
        JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.name'))
      ),
      COALESCE(
        JSON_EXTRACT_SCALAR(requestParameters, '$.sourceRegion'),
        JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.sourceRegion'))
      ),
      COALESCE(
        JSON_EXTRACT_SCALAR(requestParameters, '$.imageTag'),
        JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.imageTag'))
      )
    ) AS detail,
    userIdentity.type AS principal_type,
    userIdentity.arn AS principal_arn,
    sourceIPAddress,
    errorCode,
    eventID
  FROM (
    SELECT
      *
    FROM cloudtrail_trailmask_investigator AS tm_s
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
    AND (
      (
        eventSource = 'ec2.amazonaws.com'
        AND eventName IN ('CreateImage', 'CopyImage', 'RegisterImage', 'RunInstances')
      )
      OR (
        eventSource = 'ecr.amazonaws.com'
        AND eventName = 'PutImage'
        AND userIdentity.type = 'IAMUser'
      )
    )
)
SELECT
  eventTime,
  kind,
  eventName,
  image,
  detail,
  principal_arn,
  sourceIPAddress,
  errorCode,
  eventID
FROM calls
WHERE
  kind = 'implant-image'
  OR (
    NOT image IS NULL
    AND NOT COALESCE(CONTAINS(?, image), FALSE)
    AND NOT image IN (
      SELECT
        image_id
      FROM made
    )
  )
ORDER BY
  eventTime,
  eventID
