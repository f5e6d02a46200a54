package dev.usher.servlet.clients;

import org.apache.commons.codec.binary.Base64;
import org.apache.commons.httpclient.HttpClient;
import org.apache.commons.httpclient.NameValuePair;
import org.apache.commons.httpclient.methods.PostMethod;
import org.json.JSONException;
import org.json.JSONObject;
import org.json.JSONTokener;

import java.io.IOException;
import java.io.InputStreamReader;
import java.util.Date;
import java.util.LinkedHashMap;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The seeds' Java example client (seed 000), kept as written — org.json, commons-httpclient 3.1,
 * {@code /} escaped after encoding — with only the URL and the credentials made parameters, and the
 * lines the seed lost restored.
 */
@SuppressWarnings({"rawtypes", "unchecked"})
public class SeVuService {

    private final String SE_VU_URL;
    private final String API_KEY;
    private final String API_SECRET;
    private final String PASS;
    private final String APPLICATION_NAME;
    private final Integer CDN;

    public SeVuService(String url, int cdn, String apiKey, String secret, String pass, String app) {
        this.SE_VU_URL = url;
        this.CDN = cdn;
        this.API_KEY = apiKey;
        this.API_SECRET = secret;
        this.PASS = pass;
        this.APPLICATION_NAME = app;
    }

    public JSONObject viewerCounts(String url) throws JSONException, IOException {
        final LinkedHashMap paramMap = getBaseMap("vsn.viewercount");
        paramMap.put("app", APPLICATION_NAME);
        paramMap.put("url", url);
        return createSignatureAndPost(paramMap);
    }

    //expire time should be 150-250% the length of the video
    //number of uses probably 10-20
    public JSONObject createTicket(String remoteAddress, String video, int secondsToExpire)
            throws JSONException, IOException {
        final LinkedHashMap paramMap = getBaseMap("sevu.request");
        paramMap.put("pass", PASS);
        paramMap.put("ip", remoteAddress);
        paramMap.put("video", video);
        paramMap.put("app", APPLICATION_NAME);
        paramMap.put("uses", 1);
        paramMap.put("expire", "+" + secondsToExpire + " seconds");
        return createSignatureAndPost(paramMap);
    }

    public JSONObject searchTickets(String video) throws JSONException, IOException {
        final LinkedHashMap paramMap = getBaseMap("");
        paramMap.put("video", video);
        return createSignatureAndPost(paramMap);
    }

    public JSONObject ticketStatus(String ticketKey) throws JSONException, IOException {
        final LinkedHashMap paramMap = getBaseMap("sevu.status");
        paramMap.put("key", ticketKey);
        return createSignatureAndPost(paramMap);
    }

    public JSONObject revokeTicket(String ticketKey) throws JSONException, IOException {
        final LinkedHashMap paramMap = getBaseMap("sevu.revoke");
        paramMap.put("key", ticketKey);
        return createSignatureAndPost(paramMap);
    }

    public JSONObject errorLog(String ticketKey) throws JSONException, IOException {
        final LinkedHashMap paramMap = getBaseMap("sevu.errorlog");
        paramMap.put("key", ticketKey);
        return createSignatureAndPost(paramMap);
    }

    /** The seed's errorLog with its commented lines enabled (each a filter of the attempts). */
    public JSONObject errorLog(String ticketKey, String remoteAddress, String video) throws JSONException, IOException {
        final LinkedHashMap paramMap = getBaseMap("sevu.errorlog");
        paramMap.put("key", ticketKey);
        paramMap.put("pass", PASS);
        paramMap.put("ip", remoteAddress);
        paramMap.put("video", video);
        paramMap.put("app", APPLICATION_NAME);
        paramMap.put("success", 1);
        paramMap.put("seek", 0);
        paramMap.put("limit", 100);
        return createSignatureAndPost(paramMap);
    }

    private JSONObject createSignatureAndPost(final LinkedHashMap paramMap) throws JSONException, IOException {
        paramMap.put("timestamp", new Date().getTime() / 1000);
        String json = new JSONObject(paramMap).toString();
        //php encodes slashes in a non-standard way such that it needs
        //to be added AFTER json encoding
        json = json.replace("/", "\\/");
        paramMap.put("signature", generateSignature(json));
        final JSONObject responseJsonObject = postMethod(new JSONObject(paramMap));
        return responseJsonObject;
    }

    private LinkedHashMap getBaseMap(final String command) {
        final LinkedHashMap paramMap = new LinkedHashMap();
        paramMap.put("api_key", API_KEY);
        paramMap.put("cdn", CDN);
        paramMap.put("command", command);
        return paramMap;
    }

    private String generateSignature(String requestData) {
        String signature = null;
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            SecretKeySpec secret = new SecretKeySpec(API_SECRET.getBytes(), "HmacSHA256");
            mac.init(secret);
            signature = new String(Base64.encodeBase64(mac.doFinal(requestData.getBytes())));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return signature;
    }

    private JSONObject postMethod(JSONObject jsonObject) throws JSONException, IOException {
        HttpClient httpClient = new HttpClient();
        PostMethod postMethod = new PostMethod(SE_VU_URL);
        final String json = jsonObject.toString().replace("/", "\\/");
        postMethod.addParameter(new NameValuePair("json", json));
        try {
            httpClient.executeMethod(postMethod);
            return new JSONObject(new JSONTokener(new InputStreamReader(postMethod.getResponseBodyAsStream(), "UTF-8")));
        } finally {
            postMethod.releaseConnection();
        }
    }
}
