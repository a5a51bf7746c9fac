package io.elasticinference.function.api;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

@QuarkusTest
class PredictResourceTest {

    @BeforeEach
    void waitForModel() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (RestAssured.get("/q/health/ready").statusCode() != 200) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("model not ready in 60 s: " + RestAssured.get("/q/health/ready").asString());
            }
            Thread.sleep(100);
        }
    }

    @Test
    void rawJpegGivesTop5BestFirstWithModelAndTimings() throws Exception {
        Response r = given().contentType("image/jpeg").body(TestImages.photo())
                .when().post("/predict")
                .then().statusCode(200)
                .body("predictions", hasSize(5))
                .body("prediction", matchesPattern(".+: \\d+\\.\\d%"))
                .body("model.name", equalTo("resnet18"))
                .body("model.sha256", matchesPattern("[0-9a-f]{64}"))
                .body("timings.total_ms", notNullValue())
                .header("X-Served-By", notNullValue())
                .extract().response();
        List<Float> p = r.jsonPath().getList("predictions.probability", Float.class);
        for (int i = 1; i < p.size(); i++) {
            assertTrue(p.get(i - 1) >= p.get(i), "best first: " + p);
        }
        assertTrue(p.stream().mapToDouble(Float::doubleValue).sum() <= 1.0001);
        List<Integer> idx = r.jsonPath().getList("predictions.index", Integer.class);
        assertTrue(idx.stream().allMatch(i -> i >= 0 && i < 1000));
        assertEquals(5, idx.stream().distinct().count());
        String weights = r.jsonPath().getString("model.weights");
        boolean pretrained = r.jsonPath().getBoolean("model.pretrained");
        assertTrue(pretrained || weights.contains("seed"), "seeded weights must say so: " + weights);
    }

    @Test
    void sameImageSameAnswerOnBothPathsAndMultipart() throws Exception {
        byte[] img = TestImages.photo();
        String viaPredict = given().contentType("image/jpeg").body(img).post("/predict")
                .then().statusCode(200).extract().path("prediction");
        String viaRoot = given().contentType("application/octet-stream").body(img).post("/")
                .then().statusCode(200).extract().path("prediction");
        String viaMultipart = given().multiPart("file", "crab.jpg", img, "image/jpeg").post("/predict")
                .then().statusCode(200).extract().path("prediction");
        String viaRootMultipart = given().multiPart("file", "crab.jpg", img, "image/jpeg").post("/")
                .then().statusCode(200).extract().path("prediction");
        assertEquals(viaPredict, viaRoot);
        assertEquals(viaPredict, viaMultipart);
        assertEquals(viaPredict, viaRootMultipart);
    }

    @Test
    void otherFormatsAreAccepted() throws Exception {
        for (String name : List.of("derived_rgba.png", "derived_palette_P.png", "derived_anim2.gif",
                "derived_cmyk.jpg", "derived_gray16.png", "derived_gray_L.jpg", "derived_progressive.jpg")) {
            given().contentType("application/octet-stream").body(TestImages.reference(name))
                    .post("/predict").then().statusCode(200).body("predictions", hasSize(5));
        }
    }

    @Test
    void webpAndBmpAreAccepted() throws Exception {
        for (String[] f : new String[][]{{"fox.webp", "image/webp"}, {"fox.bmp", "image/bmp"}}) {
            byte[] img;
            try (java.io.InputStream in = getClass().getResourceAsStream("/images/" + f[0])) {
                img = in.readAllBytes();
            }
            given().contentType(f[1]).body(img).post("/predict").then().statusCode(200)
                    .body("predictions", hasSize(5));
        }
    }

    /**
     * The JDK reads TIFF and WBMP too; sent as octet-stream they were served, although the API names five formats and
     * "Content-Type: image/tiff" is refused. Now both ways give the same 415, naming the format.
     */
    @Test
    void formatsTheJdkReadsButTheApiDoesNotTakeAre415() throws Exception {
        java.awt.image.BufferedImage photo = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(
                TestImages.photo()));
        java.awt.image.BufferedImage bits = new java.awt.image.BufferedImage(64, 48,
                java.awt.image.BufferedImage.TYPE_BYTE_BINARY);
        for (Object[] f : new Object[][]{{photo, "tiff", "TIF"}, {bits, "wbmp", "WBMP"}}) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            assertTrue(javax.imageio.ImageIO.write((java.awt.image.BufferedImage) f[0], (String) f[1], out));
            given().contentType("application/octet-stream").body(out.toByteArray()).post("/predict")
                    .then().statusCode(415).body("error.code", equalTo("unsupported_format"))
                    .body("error.message", containsString("a " + f[2] + " image"));
        }
    }

    @Test
    void topkIsHonouredAndValidated() throws Exception {
        byte[] img = TestImages.photo();
        given().contentType("image/jpeg").body(img).queryParam("topk", 3).post("/predict")
                .then().statusCode(200).body("predictions", hasSize(3));
        given().contentType("image/jpeg").body(img).queryParam("topk", 1000).post("/predict")
                .then().statusCode(200).body("predictions", hasSize(1000));
        for (String bad : List.of("0", "-1", "1001", "abc", "2.5")) {
            given().contentType("image/jpeg").body(img).queryParam("topk", bad).post("/predict")
                    .then().statusCode(400).body("error.code", equalTo("bad_topk"));
        }
    }

    @Test
    void emptyBodyIs400() {
        given().contentType("image/jpeg").body(new byte[0]).post("/predict")
                .then().statusCode(400).body("error.code", equalTo("empty_body"));
    }

    @Test
    void notAnImageIs4xxJson() {
        byte[] noise = new byte[5000];
        new Random(1).nextBytes(noise);
        given().contentType("image/jpeg").body(noise).post("/predict")
                .then().statusCode(422).body("error.code", notNullValue())
                .body("error.message", notNullValue());
        given().contentType("application/octet-stream").body("hello, I am text".getBytes()).post("/predict")
                .then().statusCode(422);
    }

    @Test
    void truncatedImagesAre4xxNot500() throws Exception {
        for (String name : List.of("n01986214_hermit_crab.JPEG", "derived_rgba.png")) {
            byte[] whole = TestImages.reference(name);
            byte[] half = Arrays.copyOf(whole, whole.length / 2);
            given().contentType("application/octet-stream").body(half).post("/predict")
                    .then().statusCode(422).body("error.code", equalTo("corrupt_image"));
            byte[] head = Arrays.copyOf(whole, 40);
            given().contentType("application/octet-stream").body(head).post("/predict")
                    .then().statusCode(422).body("error.code", notNullValue());
        }
    }

    /**
     * Seeded corruptions of every format the function takes (bytes overwritten anywhere or in the header, cut short,
     * a run copied elsewhere, a run zeroed): whatever a decoder makes of them, the answer is a prediction or a JSON
     * 4xx, never a 5xx. A 2026-12-04 run of 6,500 such requests against the packaged function gave 200, 413 and 422
     * only; this keeps a smaller, fixed sample of them. With the decoder's catch of unchecked exceptions removed, 1 of
     * 3,000 became a 500, which {@link #aDecoderCrashIsACorruptImageNotA500} pins down.
     */
    @Test
    void corruptedImagesNeverGive5xx() throws Exception {
        List<byte[]> originals = new java.util.ArrayList<>();
        for (String name : List.of("n01986214_hermit_crab.JPEG", "derived_progressive.jpg", "derived_cmyk.jpg",
                "derived_rgba.png", "derived_palette_P.png", "derived_gray16.png", "derived_anim2.gif")) {
            originals.add(TestImages.reference(name));
        }
        for (String name : List.of("fox.webp", "fox.bmp")) {
            try (java.io.InputStream in = getClass().getResourceAsStream("/images/" + name)) {
                originals.add(in.readAllBytes());
            }
        }
        Random random = new Random(20261204);
        java.util.Map<String, Integer> outcomes = new java.util.TreeMap<>();
        for (int i = 0; i < 270; i++) {
            byte[] original = originals.get(i % originals.size());
            byte[] corrupt = corrupt(original, i / originals.size() % 5, random);
            Response response = given().contentType("application/octet-stream").body(corrupt).post("/predict");
            int status = response.statusCode();
            String code = status == 200 ? "ok" : response.path("error.code");
            assertTrue(status == 200 || (status >= 400 && status < 500 && code != null),
                    "corruption " + i + " got " + status + ": " + response.asString());
            outcomes.merge(status + " " + code, 1, Integer::sum);
        }
        // Every kind of answer the corruptions should reach: some still decode, most do not.
        assertTrue(outcomes.containsKey("200 ok") && outcomes.containsKey("422 corrupt_image"), outcomes.toString());
        given().get("/q/health/ready").then().statusCode(200);
    }

    /**
     * One corruption of that run that a decoder does not report as an I/O error: a BMP whose pixel data offset has its
     * top byte set makes ImageIO's BMP reader allocate a palette of negative size (NegativeArraySizeException).
     */
    @Test
    void aDecoderCrashIsACorruptImageNotA500() throws Exception {
        byte[] bmp;
        try (java.io.InputStream in = getClass().getResourceAsStream("/images/fox.bmp")) {
            bmp = in.readAllBytes();
        }
        bmp[13] = (byte) 0xd6; // bfOffBits, little-endian at offsets 10-13: now negative
        given().contentType("image/bmp").body(bmp).post("/predict")
                .then().statusCode(422).body("error.code", equalTo("corrupt_image"));
    }

    private static byte[] corrupt(byte[] original, int kind, Random random) {
        byte[] data = original.clone();
        switch (kind) {
            case 0 -> {
                for (int n = 1 + random.nextInt(30); n > 0; n--) {
                    data[random.nextInt(data.length)] = (byte) random.nextInt(256);
                }
            }
            case 1 -> {
                for (int n = 1 + random.nextInt(8); n > 0; n--) {
                    data[random.nextInt(Math.min(data.length, 400))] = (byte) random.nextInt(256);
                }
            }
            case 2 -> data = Arrays.copyOf(data, 1 + random.nextInt(data.length - 1));
            case 3 -> {
                int from = random.nextInt(data.length);
                int length = Math.min(data.length - from, 1 + random.nextInt(2000));
                int at = random.nextInt(data.length);
                byte[] longer = new byte[data.length + length];
                System.arraycopy(data, 0, longer, 0, at);
                System.arraycopy(data, from, longer, at, length);
                System.arraycopy(data, at, longer, at + length, data.length - at);
                data = longer;
            }
            default -> {
                int from = random.nextInt(data.length);
                Arrays.fill(data, from, Math.min(data.length, from + 1 + random.nextInt(500)), (byte) 0);
            }
        }
        return data;
    }

    @Test
    void decompressionBombIsRefusedFromItsHeader() {
        given().contentType("image/png").body(TestImages.bombPng()).post("/predict")
                .then().statusCode(413).body("error.code", equalTo("image_too_large"));
    }

    @Test
    void wrongContentTypeIs415Json() throws Exception {
        given().contentType("text/plain").body("not an image").post("/predict")
                .then().statusCode(415).body("error.code", equalTo("unsupported_media_type"));
        given().contentType("application/json").body("{}").post("/")
                .then().statusCode(415).body("error.code", equalTo("unsupported_media_type"));
        // Not media types at all: Quarkus REST's parser threw on these, and they were answered 500.
        for (String notAType : List.of("image/", ";;;", "a/b/c")) {
            HttpResponse<String> r = post(notAType, HttpRequest.BodyPublishers.ofByteArray(TestImages.photo()));
            assertEquals(415, r.statusCode(), notAType + ": " + r.body());
            assertTrue(r.body().contains("\"code\":\"unsupported_media_type\""), r.body());
        }
    }

    @Test
    void aBodyInAContentCodingIs415NamingTheOneTaken() throws Exception {
        byte[] img = TestImages.photo();
        ByteArrayOutputStream gzipped = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gzipped)) {
            out.write(img);
        }
        // Before, a gzipped photo was answered 422 not_an_image.
        given().contentType("image/jpeg").header("Content-Encoding", "gzip").body(gzipped.toByteArray())
                .post("/predict")
                .then().statusCode(415).header("Accept-Encoding", "identity")
                .body("error.code", equalTo("unsupported_content_encoding"))
                .body("error.message", containsString("'gzip'"));
        given().multiPart("file", "crab.jpg", img, "image/jpeg").header("Content-Encoding", "br").post("/")
                .then().statusCode(415).body("error.code", equalTo("unsupported_content_encoding"));
        given().contentType("image/jpeg").header("Content-Encoding", "identity").body(img).post("/predict")
                .then().statusCode(200).body("predictions", hasSize(5));
    }

    /**
     * A Host header that is not a host is refused by Vert.x' router before any endpoint; Quarkus' page for it was
     * plain text headed "500 - Internal Server Error" under a 400 status. Sent on a raw socket: Java's HTTP client
     * will not send such a header.
     */
    @Test
    void aHostHeaderThatIsNotAHostIs400Json() throws Exception {
        byte[] img = TestImages.photo();
        try (java.net.Socket socket = new java.net.Socket("localhost", RestAssured.port)) {
            socket.setSoTimeout(10_000);
            String head = "POST /predict HTTP/1.1\r\nHost: not a host\r\nContent-Type: image/jpeg\r\nContent-Length: "
                    + img.length + "\r\nConnection: close\r\n\r\n";
            socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().write(img);
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(answer.startsWith("HTTP/1.1 400"), answer);
            assertTrue(answer.toLowerCase(java.util.Locale.ROOT).contains("content-type: application/json"), answer);
            assertTrue(answer.contains("{\"error\":{\"code\":\"bad_request\","), answer);
            assertTrue(!answer.contains("500") && !answer.contains("Stack"), answer);
        }
        // The function goes on serving.
        given().contentType("image/jpeg").body(img).post("/predict").then().statusCode(200);
    }

    /**
     * A client that asks to be told to go on before it sends the body (Expect: 100-continue, what curl sends with a
     * chunked or large body) is told: this test sends the body only after the 100. Before, chunked bodies were read
     * without it and curl sent after its own 1 s timeout.
     */
    @Test
    void aClientThatExpects100ContinueIsToldToGoOn() throws Exception {
        byte[] img = TestImages.photo();
        for (String framing : List.of("Transfer-Encoding: chunked", "Content-Length: " + img.length)) {
            try (java.net.Socket socket = new java.net.Socket("localhost", RestAssured.port)) {
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write(("POST /predict?topk=1 HTTP/1.1\r\nHost: localhost\r\nContent-Type: "
                        + "image/jpeg\r\nExpect: 100-continue\r\nConnection: close\r\n" + framing + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
                String interim = new String(socket.getInputStream().readNBytes(25), StandardCharsets.US_ASCII);
                assertEquals("HTTP/1.1 100 Continue\r\n\r\n", interim, framing);
                if (framing.startsWith("Transfer")) {
                    socket.getOutputStream().write((Integer.toHexString(img.length) + "\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    socket.getOutputStream().write(img);
                    socket.getOutputStream().write("\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                } else {
                    socket.getOutputStream().write(img);
                }
                String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(answer.startsWith("HTTP/1.1 200"), framing + ": " + answer);
                assertTrue(answer.contains("\"predictions\":[{"), answer);
            }
        }
    }

    /** POST /predict with a body written by hand, over HTTP/1.1 as curl sends it. */
    private static HttpResponse<String> post(String contentType, HttpRequest.BodyPublisher body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(RestAssured.baseURI + ":" + RestAssured.port + "/predict"))
                .header("Content-Type", contentType).POST(body).build();
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
                .send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> postMultipart(String contentType, byte[] body) throws Exception {
        return post(contentType, HttpRequest.BodyPublishers.ofByteArray(body));
    }

    /** A body without a length (chunked), as streaming clients send it. */
    private static HttpResponse<String> postChunked(String contentType, byte[] body) throws Exception {
        return post(contentType, HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body)));
    }

    private static byte[] multipartBody(String boundary, String fileHeaders, byte[] file) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n"
                + "--" + boundary + "\r\n" + fileHeaders + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        out.writeBytes(file);
        out.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    @Test
    void multipartFilePartWithoutFileNameAfterAnotherPartIsClassified() throws Exception {
        byte[] img = TestImages.photo();
        String raw = given().contentType("image/jpeg").body(img).post("/predict")
                .then().statusCode(200).extract().path("prediction");
        HttpResponse<String> r = postMultipart("multipart/form-data; boundary=b0undary",
                multipartBody("b0undary", "Content-Disposition: form-data; name=\"file\"", img));
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().contains("\"prediction\":\"" + raw + "\""), r.body());
        // Media types are case-insensitive; the boundary is not.
        HttpResponse<String> mixedCase = postMultipart("Multipart/Form-Data; boundary=b0undary",
                multipartBody("b0undary", "Content-Disposition: form-data; name=\"file\"", img));
        assertEquals(200, mixedCase.statusCode(), mixedCase.body());
    }

    @Test
    void brokenMultipartIs400Json() throws Exception {
        byte[] img = TestImages.photo();
        byte[] whole = multipartBody("b0undary",
                "Content-Disposition: form-data; name=\"file\"; filename=\"crab.jpg\"", img);
        HttpResponse<String> noBoundary = postMultipart("multipart/form-data", whole);
        assertEquals(400, noBoundary.statusCode(), noBoundary.body());
        assertTrue(noBoundary.body().contains("\"code\":\"bad_multipart\""), noBoundary.body());
        HttpResponse<String> cutShort = postMultipart("multipart/form-data; boundary=b0undary",
                Arrays.copyOf(whole, whole.length / 2));
        assertEquals(400, cutShort.statusCode(), cutShort.body());
        assertTrue(cutShort.body().contains("\"code\":\"missing_file\""), cutShort.body());
        HttpResponse<String> empty = postMultipart("multipart/form-data; boundary=b0undary",
                multipartBody("b0undary", "Content-Disposition: form-data; name=\"file\"; filename=\"e.jpg\"",
                        new byte[0]));
        assertEquals(400, empty.statusCode(), empty.body());
        assertTrue(empty.body().contains("\"code\":\"empty_body\""), empty.body());
    }

    @Test
    void chunkedBodiesAreClassifiedAndOversizedOnesGetA413Json() throws Exception {
        byte[] img = TestImages.photo();
        String raw = given().contentType("image/jpeg").body(img).post("/predict")
                .then().statusCode(200).extract().path("prediction");
        HttpResponse<String> chunked = postChunked("image/jpeg", img);
        assertEquals(200, chunked.statusCode(), chunked.body());
        assertTrue(chunked.body().contains("\"prediction\":\"" + raw + "\""), chunked.body());
        HttpResponse<String> chunkedMultipart = postChunked("multipart/form-data; boundary=b0undary",
                multipartBody("b0undary", "Content-Disposition: form-data; name=\"file\"; filename=\"c.jpg\"", img));
        assertEquals(200, chunkedMultipart.statusCode(), chunkedMultipart.body());
        assertTrue(chunkedMultipart.body().contains("\"prediction\":\"" + raw + "\""), chunkedMultipart.body());

        HttpResponse<String> tooLarge = postChunked("image/jpeg", new byte[10 * 1024 * 1024 + 100_000]);
        assertEquals(413, tooLarge.statusCode(), tooLarge.body());
        assertTrue(tooLarge.body().contains("\"code\":\"body_too_large\""), tooLarge.body());
        // The function goes on serving.
        assertEquals(200, postChunked("image/jpeg", img).statusCode());
    }

    @Test
    void missingMultipartPartIs400() {
        given().multiPart("image", "x.jpg", new byte[]{1, 2, 3}, "image/jpeg").post("/predict")
                .then().statusCode(400).body("error.code", equalTo("missing_file"));
    }

    @Test
    void oversizedBodyIs413Json() {
        byte[] big = new byte[10 * 1024 * 1024 + 1];
        given().contentType("image/jpeg").body(big).post("/predict")
                .then().statusCode(413).body("error.code", equalTo("body_too_large"));
    }

    @Test
    void unknownPathAndMethodAreJson() {
        given().get("/nope").then().statusCode(404).body("error.code", equalTo("not_found"));
        given().get("/predict").then().statusCode(405).body("error.code", equalTo("method_not_allowed"))
                .header("Allow", containsString("POST")).header("Allow", not(containsString("GET")));
        given().put("/predict").then().statusCode(405).header("Allow", equalTo("POST, OPTIONS"));
        given().delete("/").then().statusCode(405).header("Allow", equalTo("GET, HEAD, POST, OPTIONS"))
                .body("error.message", containsString("upload page"));
    }

    @Test
    void readinessSaysWhichWeights() {
        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'model' }.data.state", equalTo("ready"))
                .body("checks.find { it.name == 'model' }.data.weights", notNullValue());
    }

    @Test
    void metricsAreExported() throws Exception {
        given().contentType("image/jpeg").body(TestImages.photo()).post("/predict").then().statusCode(200);
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        for (String name : List.of("inference_request_duration_seconds_bucket{outcome=\"ok\",le=\"0.33\"}",
                "inference_requests_total{outcome=\"ok\"", "inference_queue_wait_seconds_bucket",
                "inference_model_duration_seconds_bucket", "inference_model_thread_seconds_total",
                "inference_model_threads 1.0",
                "inference_decode_duration_seconds_bucket",
                "inference_inflight_requests", "inference_queued_requests", "inference_batch_size_bucket",
                "inference_model_load_seconds", "inference_model_info{", "inference_ready 1.0")) {
            assertTrue(metrics.contains(name), "missing " + name);
        }
    }

    @Test
    void aLoneRequestRunsOnEveryCpuOnceTheSecondSessionIsLoaded() throws Exception {
        int cpus = Runtime.getRuntime().availableProcessors();
        assumeTrue(cpus > 1, "one CPU: there is no wider session to run on");
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            double[] before = threadAndModelSeconds();
            given().contentType("image/jpeg").body(TestImages.photo()).post("/predict").then().statusCode(200);
            double[] after = threadAndModelSeconds();
            // One run per request, and nothing else in flight: the run's threads are the ratio of the two sums.
            double threads = (after[0] - before[0]) / (after[1] - before[1]);
            if (Math.abs(threads - cpus) < 1e-6) {
                return;
            }
            assertEquals(1.0, threads, 1e-6, "until the second session is loaded, a run has one thread");
            assertTrue(System.nanoTime() < deadline, "no run on " + cpus + " threads within 30 s");
            Thread.sleep(100);
        }
    }

    /** inference_model_thread_seconds_total and inference_model_duration_seconds_sum, from one scrape. */
    private static double[] threadAndModelSeconds() {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        double[] v = {Double.NaN, Double.NaN};
        for (String line : metrics.split("\n")) {
            if (line.startsWith("inference_model_thread_seconds_total ")) {
                v[0] = Double.parseDouble(line.substring(line.indexOf(' ') + 1));
            } else if (line.startsWith("inference_model_duration_seconds_sum ")) {
                v[1] = Double.parseDouble(line.substring(line.indexOf(' ') + 1));
            }
        }
        assertTrue(!Double.isNaN(v[0]) && !Double.isNaN(v[1]), "both metrics are exported");
        return v;
    }

    @Test
    void uploadPageAndOpenApiAreServed() {
        given().get("/").then().statusCode(200).body(containsString("Drop an image"));
        given().get("/q/openapi").then().statusCode(200).body(containsString("/predict"));
        // The multipart form is documented as a part 'file' (Swagger UI's "try it out" offers a file picker).
        given().accept("application/json").get("/q/openapi?format=json").then().statusCode(200)
                .body("paths.'/predict'.post.requestBody.content.'multipart/form-data'.schema.'$ref'",
                        equalTo("#/components/schemas/ImageForm"))
                .body("components.schemas.ImageForm.properties.file.format", equalTo("binary"))
                .body("components.schemas.ImageForm.required", hasSize(1));
        given().get("/q/swagger-ui/").then().statusCode(200);
    }
}
