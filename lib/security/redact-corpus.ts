/**
 * Test fixture: credentials in the shapes that real brokers, clouds and Linkscope itself produce
 * (see /work/shared/reference/lifecycle-formats.md). `secrets` are the parts that must never survive redaction;
 * they avoid HTML-escaped characters, so a plain substring search of a response body finds them.
 */
export type SecretSample = {
  name: string;
  /** How the credential appears in free text: a log line, an error message, a username. */
  text: string;
  /** How it appears inside a JSON payload, when that differs from a string value. */
  json?: Record<string, unknown>;
  secrets: string[];
};

const pad = (marker: string, length: number) => (marker + "x".repeat(length)).slice(0, length);

const LSIT = `lsit_a1b2c3d4e5_${pad("LsitSecretPart0020", 43)}`;
const LSS = `lss_${pad("LssSharePart0021", 43)}`;
const LSK = `lsk_${pad("LskApiPart0022", 43)}`;
const JWT = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdWQiOiJwcm9qZWN0LTEwMDEiLCJleHAiOjE3NjQ2MzY4MDB9.JwtSigPart0010_aBcD-eFgH";
const PEM_BODY = ["MIIEvQIBADANPemBody0019aBcDeFgHiJkLmNoPqRsTuVwXyZ", "PemBodyLine0019bQwErTyUiOpAsDfGhJkLzXcVbNm0123456"];
const PEM = `-----BEGIN PRIVATE KEY-----\n${PEM_BODY.join("\n")}\n-----END PRIVATE KEY-----`;
const RSA_PEM = `-----BEGIN RSA PRIVATE KEY-----\nRsaPemBody0031aBcDeFgHiJkLmNoPqRsTuVwXyZ0123\n-----END RSA PRIVATE KEY-----`;
const AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYAwsSec0004";

export const SECRET_CORPUS: readonly SecretSample[] = [
  {
    name: "Azure SAS token",
    text: "SharedAccessSignature sr=hub.azure-devices.net%2Fdevices%2Fd1&sig=AzSasSig0001abcdEFGH%3D&se=1767225600",
    json: { password: "SharedAccessSignature sr=hub.azure-devices.net%2Fdevices%2Fd1&sig=AzSasSig0001abcdEFGH%3D&se=1767225600" },
    secrets: ["AzSasSig0001abcdEFGH"],
  },
  {
    name: "Azure device connection string",
    text: "HostName=hub.azure-devices.net;DeviceId=d1;SharedAccessKey=AzConnKey0002QkFTRTY0a2V5PT0=",
    secrets: ["AzConnKey0002QkFTRTY0a2V5PT0"],
  },
  {
    name: "Azure service connection string",
    text: "HostName=hub.azure-devices.net;SharedAccessKeyName=iothubowner;SharedAccessKey=AzOwnerKey0003+/aBcDeF=",
    secrets: ["AzOwnerKey0003"],
  },
  {
    name: "Azure storage account key",
    text: "DefaultEndpointsProtocol=https;AccountName=diag;AccountKey=AzAccountKey0030aBcD==;EndpointSuffix=core.windows.net",
    secrets: ["AzAccountKey0030aBcD"],
  },
  { name: "AWS access key ID", text: "signed by AKIAZ7LNKSCP0003ABCD in us-east-1", secrets: ["AKIAZ7LNKSCP0003ABCD"] },
  {
    name: "AWS secret access key",
    text: `aws_secret_access_key=${AWS_SECRET}`,
    json: { SecretAccessKey: AWS_SECRET },
    secrets: [AWS_SECRET],
  },
  { name: "AWS bare secret access key", text: `credentials rotated, new key ${AWS_SECRET} stored`, secrets: [AWS_SECRET] },
  {
    name: "AWS presigned URL",
    text: "https://bucket.s3.amazonaws.com/fw.bin?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAZ7LNKSCP0005ABCD%2F20261201%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Security-Token=FwoGZXIvAmzSecTok0006&X-Amz-Signature=AmzSig0007deadbeef",
    secrets: ["AKIAZ7LNKSCP0005ABCD", "AmzSecTok0006", "AmzSig0007deadbeef"],
  },
  {
    name: "AWS custom authorizer username",
    text: "sensor-1?x-amz-customauthorizer-name=linkscope&x-amz-customauthorizer-signature=CustAuthSig0008&token=CustAuthTok0009",
    secrets: ["CustAuthSig0008", "CustAuthTok0009"],
  },
  {
    name: "GCP / ClearBlade JWT password",
    text: JWT,
    json: { password: JWT },
    secrets: ["JwtSigPart0010", "eyJhdWQiOiJwcm9qZWN0LTEwMDEiLCJleHAiOjE3NjQ2MzY4MDB9"],
  },
  {
    name: "EMQX password",
    text: 'auth failed for {"username":"bob","password":"EmqxPw0011"}',
    json: { clientid: "d1", username: "bob", password: "EmqxPw0011" },
    secrets: ["EmqxPw0011"],
  },
  {
    name: "HiveMQ password",
    text: "HiveMQ extension: password: HivePw0012 rejected",
    json: { "connect-password": "HivePw0012" },
    secrets: ["HivePw0012"],
  },
  { name: "Mosquitto password", text: "mosquitto_sub -u bob pwd=MosqPw0013 -t x", json: { passwd: "MosqPw0013" }, secrets: ["MosqPw0013"] },
  {
    name: "MQTT 5 Authentication-Data",
    text: "AUTH method SCRAM-SHA-1 Authentication-Data: Mqtt5AuthData0014",
    json: { "Authentication-Data": "Mqtt5AuthData0014", authenticationData: "Mqtt5AuthData0015" },
    secrets: ["Mqtt5AuthData0014", "Mqtt5AuthData0015"],
  },
  {
    name: "Basic authorization header",
    text: "Authorization: Basic QmFzaWNVc2VyOkJhc2ljUHcwMDE2",
    json: { headers: { authorization: "Basic QmFzaWNVc2VyOkJhc2ljUHcwMDE2" } },
    secrets: ["QmFzaWNVc2VyOkJhc2ljUHcwMDE2"],
  },
  {
    name: "Bearer authorization header",
    text: "webhook answered 401 to Bearer BearerTok0017abc",
    json: { Authorization: "Bearer BearerTok0017abc" },
    secrets: ["BearerTok0017abc"],
  },
  {
    name: "URL userinfo",
    text: "connecting to mqtts://bob:UrlPw0018@broker.example.com:8883",
    json: { url: "wss://bob:UrlPw0018@broker.example.com/mqtt" },
    secrets: ["UrlPw0018"],
  },
  {
    name: "PEM private key",
    text: `client key:\n${PEM}`,
    json: { privateKeyPem: PEM, note: `key ${RSA_PEM}` },
    secrets: [...PEM_BODY, "RsaPemBody0031"],
  },
  {
    name: "PEM private key cut short",
    text: `key=${"-----BEGIN EC PRIVATE KEY-----"}\\nEcPemBody0032aBcDeF\\nEcPemMore0033`,
    secrets: ["EcPemBody0032", "EcPemMore0033"],
  },
  { name: "Linkscope ingest token", text: `curl -H 'x-ingest: ${LSIT}'`, json: { note: LSIT }, secrets: [LSIT.slice(17)] },
  { name: "Linkscope share token", text: `see ${LSS} for the window`, json: { link: `/share/${LSS}` }, secrets: [LSS.slice(4)] },
  { name: "Linkscope API token", text: `export LINKSCOPE=${LSK}`, json: { note: `run with ${LSK}` }, secrets: [LSK.slice(4)] },
  { name: "apikey in free text", text: `upload failed: apikey ApiKey0021xyz token ${LSS}`, secrets: ["ApiKey0021xyz", LSS.slice(4)] },
  {
    name: "api_key= in free text",
    text: "GET /v1/report?api_key=ApiKey0022xyz failed",
    json: { api_key: "ApiKey0022xyz" },
    secrets: ["ApiKey0022xyz"],
  },
  { name: "token in free text", text: "rejected token TokWord0023-abc by broker", secrets: ["TokWord0023-abc"] },
  { name: "x-api-key header", text: "x-api-key: ApiKey0024xyz", json: { "X-Api-Key": "ApiKey0024xyz" }, secrets: ["ApiKey0024xyz"] },
  {
    name: "accessKey / sharedAccessKey fields",
    text: 'cfg {"accessKey":"AccessKey0025","sharedAccessKey":"SharedKey0026"}',
    json: { accessKey: "AccessKey0025", sharedAccessKey: "SharedKey0026", primaryKey: "PrimaryKey0027" },
    secrets: ["AccessKey0025", "SharedKey0026", "PrimaryKey0027"],
  },
  {
    name: "OAuth client secret and access token",
    text: "client_secret=ClientSecret0028&access_token=AccTok0029",
    json: { client_secret: "ClientSecret0028", accessToken: "AccTok0029" },
    secrets: ["ClientSecret0028", "AccTok0029"],
  },
  {
    name: "Azure API Management subscription key",
    text: "Ocp-Apim-Subscription-Key: ApimKey0034abcdef",
    json: { headers: { "Ocp-Apim-Subscription-Key": "ApimKey0034abcdef", "x-functions-key": "FuncKey0035abcdef" } },
    secrets: ["ApimKey0034abcdef", "FuncKey0035abcdef"],
  },
  {
    name: "Wi-Fi and TLS pre-shared keys, MQTT passwords under short names",
    text: "provisioning: wifi psk=WifiPsk0037abc, pre_shared_key: TlsPsk0038abc",
    json: { wifi_pwd: "WifiPwd0039abc", mqttPwd: "MqttPwd0040abc", psk: "WifiPsk0037abc", preSharedKey: "TlsPsk0038abc" },
    secrets: ["WifiPsk0037abc", "TlsPsk0038abc", "WifiPwd0039abc", "MqttPwd0040abc"],
  },
  {
    name: "Azure DPS symmetric key and device-side key material",
    text: "enrollment symmetricKey=DpsSymKey0041abc== failed; sharedKey: SharedKey0042abc",
    json: {
      attestation: { symmetricKey: "DpsSymKey0041abc==" },
      sharedKey: "SharedKey0042abc",
      encryptionKey: "EncKey0043abc",
      hmacKey: "HmacKey0044abc",
      authKey: "AuthKey0045abc",
      privKey: "PrivKey0046abc",
    },
    secrets: ["DpsSymKey0041abc", "SharedKey0042abc", "EncKey0043abc", "HmacKey0044abc", "AuthKey0045abc", "PrivKey0046abc"],
  },
  {
    name: "service URLs with a password and no user, connection strings under short names",
    text: "cache at redis://:RedisPw0047abc@cache:6379 refused the gateway",
    json: { dsn: "DsnValue0048abc", connStr: "ConnStr0049abc", database_url: "DbUrl0050abc" },
    secrets: ["RedisPw0047abc", "DsnValue0048abc", "ConnStr0049abc", "DbUrl0050abc"],
  },
  {
    name: "API key in a query string, cookie headers",
    text: "GET https://api.example.com/v1/fw?key=QueryKey0051abc failed; Cookie: sid=CookieSid0052abc",
    json: { request: "Set-Cookie: session=CookieSes0053abc; Path=/" },
    secrets: ["QueryKey0051abc", "CookieSid0052abc", "CookieSes0053abc"],
  },
  {
    name: "Google API key",
    text: "maps lookup with AIzaSyGoogKey0036abcdefghijklmnopqrstuv failed",
    secrets: ["AIzaSyGoogKey0036abcdefghijklmnopqrstuv"],
  },
];

/** Every secret of the corpus, for "none of these appears" assertions. */
export const CORPUS_SECRETS: readonly string[] = [...new Set(SECRET_CORPUS.flatMap((sample) => sample.secrets))];

/** One free-text line carrying every shape of the corpus, for fields that hold a single string. */
export function corpusText(separator = " | "): string {
  return SECRET_CORPUS.map((sample) => sample.text).join(separator);
}

/** As many whole shapes of the corpus as fit in `maxLength` characters (for short fields such as titles). */
export function corpusTextWithin(maxLength: number, separator = " | "): string {
  let text = "";
  for (const sample of [...SECRET_CORPUS].sort((a, b) => a.text.length - b.text.length)) {
    const next = text ? `${text}${separator}${sample.text}` : sample.text;
    if (next.length > maxLength) break;
    text = next;
  }
  return text;
}

/** Every shape as a flat string field (for stores that take no nesting, such as audit details). */
export function corpusFields(): Record<string, string> {
  return Object.fromEntries(SECRET_CORPUS.map((sample, index) => [`text${index}`, sample.text]));
}

/** One JSON object carrying every shape: as values under credential keys and inside free-text values. */
export function corpusPayload(): Record<string, unknown> {
  return Object.fromEntries(
    SECRET_CORPUS.flatMap((sample, index) => [
      [`text${index}`, sample.text],
      ...(sample.json ? [[`json${index}`, sample.json] as const] : []),
    ]),
  );
}
