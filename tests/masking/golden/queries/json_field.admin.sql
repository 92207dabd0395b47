SELECT
  requestParameters ->> '$.bucketName' AS bucket,
  errorMessage
FROM (
  SELECT
    *
  FROM main.events AS tm_s
) AS events
WHERE
  eventSource = 's3.amazonaws.com'
