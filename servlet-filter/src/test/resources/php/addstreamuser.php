<?php
// Seed 004's example, as the document prints it, with only what it lacks to run: the closing
// `);` of the array, the closing braces, the URL (argv[1]) the document leaves empty, and the
// account's secret (USHER_API_SECRET): the document's own is published, so no server accepts it.
// argv[2..4], when given, replace app, stream and user (the password stays the document's).
$request = array(
    'command' => 'sevu.addstreamuser',
    'api_key' => 'APX4GKLM0RKQLSP2FBO1ROPKSSW47DZE',
    'timestamp' => time(),
    'cdn' => 158,
    'app' => 'demo-origin',
    'stream' => 'mystream',
    'user' => 'username_1', // null to disable
    'pass' => 'unique_random_string_per_request', // null to disable
    /* optional record settings */
    'record' => true,
    'record_type' => 'stream',
    'segment_type' => 'size',
    'segment_value' =>  15,
    'save_folder' => 'stream_folder', 
            // DVR Settigns
    'playlist_count' => 6, //optional
    'playlist_timeout' => 600, //optional
    'enable_dvr' => true, //optional
    //Google Anayltics
    'ga_key' => '' //optional
);
if ($argc > 4) {
    $request['app'] = $argv[2];
    $request['stream'] = $argv[3];
    $request['user'] = $argv[4];
}
    //Create request signature
$json_request = json_encode($request);
$sig = base64_encode(hash_hmac('sha256', $json_request,
    getenv('USHER_API_SECRET'), true));
$request['signature'] = $sig;
$json_request = json_encode($request);
$ch = curl_init();
curl_setopt($ch, CURLOPT_URL, $argv[1]); // Set the URL
curl_setopt($ch, CURLOPT_POST, true); // Perform a POST
curl_setopt($ch, CURLOPT_RETURNTRANSFER, true); // If not set, curl prints output to the browser
curl_setopt($ch, CURLOPT_HEADER, false); // If set, curl returns headers as part of the data stream
curl_setopt($ch, CURLOPT_POSTFIELDS, array('json' => $json_request)); //'Json' string or 'PHP' serialized return
$response = curl_exec($ch); //Execute the API Call
if (!$response) {
    die('Failed to connect to ScaleEngine API');
}
//Decode the response as an associative array 
$arrResponse = json_decode($response, true); 
if ($arrResponse) {
    //Operation completed successfully
    echo $response;
} else {
    //Operation failed
    echo 'An error occured processing your request:';
    exit(1);
}
