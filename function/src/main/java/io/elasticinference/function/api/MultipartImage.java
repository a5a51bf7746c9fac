package io.elasticinference.function.api;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.multipart.DefaultHttpDataFactory;
import io.netty.handler.codec.http.multipart.HttpData;
import io.netty.handler.codec.http.multipart.HttpPostMultipartRequestDecoder;
import io.netty.handler.codec.http.multipart.HttpPostRequestDecoder;
import io.netty.handler.codec.http.multipart.InterfaceHttpData;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The part {@code file} of a {@code multipart/form-data} body, taken out in memory by Netty's decoder (the one
 * Vert.x uses).
 *
 * <p>Why not Quarkus REST's own form handling: it writes every part that has a file name to a temporary file, with
 * no size below which it keeps one in memory, and the handler then reads it back. For a photo of ~100 KB the file's
 * creation, write, read and deletion cost a lone request about 2 ms on the benchmark VM (docs/benchmarks.md,
 * "Multipart in memory"); the body is already in memory, bounded by the request size limit.
 */
final class MultipartImage {

    private static final String PART = "file";

    private MultipartImage() {
    }

    /**
     * The bytes of the first part named {@code file}, with or without a file name; {@code null} when there is none.
     *
     * @throws ApiError 400 when the body is not well-formed multipart (no boundary, broken part headers, an unknown
     *                  transfer encoding, more parts than Netty's decoder takes)
     */
    static byte[] filePart(byte[] body, String contentType) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/",
                Unpooled.wrappedBuffer(body));
        request.headers().set(HttpHeaderNames.CONTENT_TYPE, lowerCaseMediaType(contentType));
        HttpPostMultipartRequestDecoder decoder = null;
        try {
            // Netty's decoder assumes a boundary and fails with a NullPointerException without one.
            if (!namesBoundary(request)) {
                throw new ApiError(400, "bad_multipart", "The multipart content type names no boundary: "
                        + "send Content-Type: multipart/form-data; boundary=...");
            }
            decoder = new HttpPostMultipartRequestDecoder(new DefaultHttpDataFactory(false), request,
                    StandardCharsets.UTF_8);
            InterfaceHttpData part = decoder.getBodyHttpData(PART);
            return part instanceof HttpData data ? data.get() : null;
        } catch (DecoderException | IllegalArgumentException e) {
            // Netty's messages name its internals (even a NullPointerException's); the client gets what to fix.
            throw new ApiError(400, "bad_multipart", "The body is not readable multipart/form-data: a part's "
                    + "headers are broken, its transfer encoding is not binary, 8bit or 7bit, or there are more than "
                    + "128 parts. Send the image as the part 'file'.");
        } catch (IOException e) {
            throw new UncheckedIOException(e); // in-memory data: not expected
        } finally {
            if (decoder != null) {
                decoder.destroy();
            }
            request.release();
        }
    }

    private static boolean namesBoundary(FullHttpRequest request) {
        try {
            return HttpPostRequestDecoder.isMultipart(request);
        } catch (IndexOutOfBoundsException e) {
            return false; // "boundary=" with nothing after it, or a lone quote: Netty reads past its end
        }
    }

    /**
     * The media type in lower case, its parameters as they are (a boundary is case-sensitive): media types are not
     * (RFC 9110), and Netty only recognises {@code multipart/form-data} so written.
     */
    private static String lowerCaseMediaType(String contentType) {
        int parameters = contentType.indexOf(';');
        return parameters < 0 ? contentType.toLowerCase(Locale.ROOT)
                : contentType.substring(0, parameters).toLowerCase(Locale.ROOT) + contentType.substring(parameters);
    }
}
