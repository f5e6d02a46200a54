<?php
// A SEVU API client written the way the seeds' PHP examples are: json_encode, hash_hmac with raw
// output, base64, json_encode again with the signature, and curl with an ARRAY for
// CURLOPT_POSTFIELDS (which sends multipart/form-data).
//
// Usage: php sevu-client.php URL CDN API_KEY SECRET COMMAND [FIELDS_AS_JSON]
// Prints the raw response body.
if ($argc < 6) {
    fwrite(STDERR, "usage: php sevu-client.php URL CDN API_KEY SECRET COMMAND [FIELDS_AS_JSON]\n");
    exit(2);
}
list(, $url, $cdn, $apiKey, $secret, $command) = $argv;
$fields = $argc > 6 ? json_decode($argv[6], true) : array();

$request = array(
    'command' => $command,
    'api_key' => $apiKey,
    'timestamp' => time(),
    'cdn' => (int) $cdn,
);
foreach ($fields as $k => $v) {
    $request[$k] = $v;
}
//Create request signature
$json_request = json_encode($request);
$sig = base64_encode(hash_hmac('sha256', $json_request, $secret, true));
$request['signature'] = $sig;
$json_request = json_encode($request);
$ch = curl_init();
curl_setopt($ch, CURLOPT_URL, $url); // Set the URL
curl_setopt($ch, CURLOPT_POST, true); // Perform a POST
curl_setopt($ch, CURLOPT_RETURNTRANSFER, true); // If not set, curl prints output to the browser
curl_setopt($ch, CURLOPT_HEADER, false); // If set, curl returns headers as part of the data stream
curl_setopt($ch, CURLOPT_POSTFIELDS, array('json' => $json_request)); //'Json' string or 'PHP' serialized return
$response = curl_exec($ch); //Execute the API Call
if (!$response) {
    fwrite(STDERR, "Failed to connect to ScaleEngine API\n");
    exit(1);
}
//Decode the response as an associative array
$arrResponse = json_decode($response, true);
if (!$arrResponse) {
    fwrite(STDERR, "An error occured processing your request: " . $response . "\n");
    exit(1);
}
echo $response;
