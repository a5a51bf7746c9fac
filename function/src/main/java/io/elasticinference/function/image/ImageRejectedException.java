package io.elasticinference.function.image;

/**
 * The bytes are not an image this service can classify. {@link #code()} is stable and goes to the client:
 * {@code empty_body}, {@code not_an_image}, {@code unsupported_format}, {@code corrupt_image},
 * {@code image_too_large}.
 */
public final class ImageRejectedException extends Exception {

    public static final String EMPTY = "empty_body";
    public static final String NOT_AN_IMAGE = "not_an_image";
    public static final String UNSUPPORTED = "unsupported_format";
    public static final String CORRUPT = "corrupt_image";
    public static final String TOO_LARGE = "image_too_large";

    private final String code;

    public ImageRejectedException(String code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
