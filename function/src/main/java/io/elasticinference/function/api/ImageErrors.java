package io.elasticinference.function.api;

/** HTTP status for each rejection code of the image pipeline. */
final class ImageErrors {

    private ImageErrors() {
    }

    static int status(String code) {
        return switch (code) {
            case "empty_body" -> 400;
            case "image_too_large" -> 413;
            case "unsupported_format" -> 415;
            default -> 422; // not_an_image, corrupt_image: well-formed request, unprocessable content
        };
    }
}
