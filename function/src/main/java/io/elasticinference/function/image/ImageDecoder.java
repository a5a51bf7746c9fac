package io.elasticinference.function.image;

import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;
import java.awt.image.SampleModel;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/**
 * Decodes JPEG, PNG, GIF (first frame), BMP and WebP into the pixels PIL's {@code Image.open(f).convert("RGB")}
 * produces, because that is what the model was trained on:
 * <ul>
 * <li>raster samples are read directly, never through {@code getRGB}: that would apply an embedded ICC profile
 *     (PIL ignores it) and a gamma curve to grayscale JPEGs;</li>
 * <li>gray is copied to R, G and B; palettes are looked up; alpha is dropped, not composited;</li>
 * <li>CMYK JPEGs use PIL's plain formula, not a colour-managed conversion;</li>
 * <li>EXIF orientation is ignored, as PIL's open does;</li>
 * <li>16-bit samples keep their high byte (PIL clips 16-bit grayscale to 255 instead, turning photos white: we do
 *     the sensible thing and document the difference).</li>
 * </ul>
 * Only ImageIO readers and raster access are used (no Graphics2D, no colour conversion ops), which keeps it usable in
 * a native image with the AWT extension.
 */
public final class ImageDecoder {

    static {
        // Decoding happens in memory; ImageIO's default disk cache would create temp files per request.
        ImageIO.setUseCache(false);
        // Readers packaged as plugins (WebP) are found through the class loader that loaded this class.
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        try {
            Thread.currentThread().setContextClassLoader(ImageDecoder.class.getClassLoader());
            ImageIO.scanForPlugins();
        } finally {
            Thread.currentThread().setContextClassLoader(previous);
        }
    }

    /**
     * Bytes per pixel assumed for the decoded raster when the reader cannot say: 16-bit RGBA, the largest the readers
     * here produce.
     */
    private static final int UNKNOWN_RASTER_BYTES_PER_PIXEL = 8;
    /** The packed RGB copy {@link #toRgb} makes of a raster it cannot read in place; both are alive at once. */
    private static final int RGB_BYTES_PER_PIXEL = 3;
    /** ImageIO's format names, lower-cased, of what the API accepts (README). */
    private static final Set<String> ACCEPTED_FORMATS = Set.of("jpeg", "png", "gif", "bmp", "webp");

    private final ImageLimits limits;
    private final DecodeMemory memory;

    public ImageDecoder(ImageLimits limits, DecodeMemory memory) {
        this.limits = limits;
        this.memory = memory;
    }

    /** The pixels, with the memory they take released: for tests and callers that hold one image at a time. */
    public RgbImage decode(byte[] data) throws ImageRejectedException, InterruptedException {
        return decode(data, Function.identity());
    }

    /**
     * Decodes and hands the pixels to {@code use} while their memory is still reserved in {@link DecodeMemory}: the
     * RGB image stays alive for as long as {@code use} runs (the resize), so it must count until then.
     */
    public <T> T decode(byte[] data, Function<RgbImage, T> use) throws ImageRejectedException, InterruptedException {
        if (data == null || data.length == 0) {
            throw new ImageRejectedException(ImageRejectedException.EMPTY, "The image is empty.");
        }
        Decoded decoded;
        try {
            decoded = decodeChecked(data);
        } catch (ImageRejectedException e) {
            throw e;
        } catch (OutOfMemoryError e) {
            // The reservation makes this rare (an estimate too low, or a heap full of something else), but the
            // image is not corrupt: say what happened.
            throw new ImageRejectedException(ImageRejectedException.TOO_LARGE,
                    "The image could not be decoded in the memory this instance has free (" + describe(e) + ").");
        } catch (IOException | RuntimeException e) {
            // ImageIO plugins throw all kinds of unchecked exceptions on malformed input; none may escape as a 500.
            throw new ImageRejectedException(ImageRejectedException.CORRUPT,
                    "The image could not be decoded: " + describe(e));
        }
        // Outside the mapping above: a failure of the caller's own step is not the image's fault.
        DecodeMemory.Reservation held = decoded.reservation();
        try {
            RgbImage rgb = decoded.rgb();
            // The interpreter keeps a frame's references alive until they are overwritten, and a decode waiting for
            // this memory allocates the moment it is released: with the pixels still reachable from here, that
            // allocation ran out of heap (1-16 of 48 photos of 12 megapixels from 8 clients in a 128 MB heap).
            decoded = null;
            T result = use.apply(rgb);
            rgb = null;
            return result;
        } finally {
            held.close();
        }
    }

    /** Pixels, and the decode memory they hold until the caller is done with them. */
    private record Decoded(RgbImage rgb, DecodeMemory.Reservation reservation) {
    }

    private Decoded decodeChecked(byte[] data) throws IOException, ImageRejectedException, InterruptedException {
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(data))) {
            ImageReader reader = readerFor(in);
            String format = reader.getFormatName().toLowerCase(Locale.ROOT);
            TruncationWatch truncation = new TruncationWatch();
            try {
                reader.setInput(in, true, true);
                reader.addIIOReadWarningListener(truncation);
                int width = reader.getWidth(0);
                int height = reader.getHeight(0);
                checkDimensions(width, height);
                long bytes = (long) width * height * decodedBytesPerPixel(reader);
                DecodeMemory.Reservation reserved = memory.reserve(bytes, "The image is " + width + "x" + height);
                try {
                    RgbImage rgb;
                    try {
                        rgb = readRgb(reader, format, truncation);
                    } catch (IIOException e) {
                        if (!format.equals("jpeg") || !isUnsupportedColourType(e)) {
                            throw e;
                        }
                        rgb = decodeCmykJpeg(data);
                    }
                    return new Decoded(rgb, reserved);
                } catch (IOException | ImageRejectedException | RuntimeException | Error e) {
                    reserved.close();
                    throw e;
                }
            } finally {
                reader.dispose();
            }
        }
    }

    private static RgbImage readRgb(ImageReader reader, String format, TruncationWatch truncation)
            throws IOException, ImageRejectedException {
        BufferedImage image = reader.read(0, readParam(reader, format));
        if (truncation.truncated) {
            throw new ImageRejectedException(ImageRejectedException.CORRUPT,
                    "The image is truncated: " + truncation.message);
        }
        return toRgb(image);
    }

    /**
     * Bytes per pixel that decoding holds at once: the raster {@code read} allocates (its default destination is the
     * first of the reader's image types; an interleaved or banded model holds one element per band, a packed one
     * the whole pixel in one element), and the packed RGB copy of a raster that cannot be read in place.
     */
    static int decodedBytesPerPixel(ImageReader reader) {
        try {
            Iterator<ImageTypeSpecifier> types = reader.getImageTypes(0);
            if (types.hasNext()) {
                ImageTypeSpecifier type = types.next();
                SampleModel model = type.getSampleModel(1, 1);
                int element = Math.max(1, DataBuffer.getDataTypeSize(model.getDataType()) / Byte.SIZE);
                int raster = model instanceof ComponentSampleModel ? element * model.getNumBands() : element;
                return raster + (readInPlace(type.getColorModel(), model) ? 0 : RGB_BYTES_PER_PIXEL);
            }
        } catch (IOException | RuntimeException e) {
            // CMYK JPEGs, among others, have no image type; they are decoded as a raster and copied.
        }
        return UNKNOWN_RASTER_BYTES_PER_PIXEL + RGB_BYTES_PER_PIXEL;
    }

    /** 8-bit interleaved RGB(A) samples: {@link Pixels#fromInterleavedBytes} uses them where they lie. */
    private static boolean readInPlace(ColorModel cm, SampleModel sm) {
        return !(cm instanceof IndexColorModel) && cm.getColorSpace().getType() == ColorSpace.TYPE_RGB
                && sm.getNumBands() >= 3 && sm.getDataType() == DataBuffer.TYPE_BYTE
                && sm instanceof PixelInterleavedSampleModel;
    }

    /**
     * For a JPEG with an embedded non-sRGB ICC profile the JDK reader offers two destinations: sRGB (converted through
     * the profile, its default) and the profile's own space (the stored samples as they are). PIL ignores profiles,
     * so we take the stored samples.
     */
    private static ImageReadParam readParam(ImageReader reader, String format) throws IOException {
        ImageReadParam param = reader.getDefaultReadParam();
        if (format.equals("jpeg")) {
            Iterator<ImageTypeSpecifier> types = reader.getImageTypes(0);
            while (types.hasNext()) {
                ImageTypeSpecifier type = types.next();
                ColorSpace cs = type.getColorModel().getColorSpace();
                if (cs.getType() == ColorSpace.TYPE_RGB && !cs.isCS_sRGB()) {
                    param.setDestinationType(type);
                    break;
                }
            }
        }
        return param;
    }

    /**
     * The reader of the formats the API accepts. The JDK also reads TIFF and WBMP; those are refused rather than
     * served on the side: their variants (16-bit, planar, floating-point TIFF) are not what the preprocessing is
     * tested against PIL for.
     */
    private static ImageReader readerFor(ImageInputStream in) throws IOException, ImageRejectedException {
        Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
        if (!readers.hasNext()) {
            throw new ImageRejectedException(ImageRejectedException.NOT_AN_IMAGE,
                    "The body is not a JPEG, PNG, GIF, BMP or WebP image.");
        }
        ImageReader reader = readers.next();
        String format = reader.getFormatName().toLowerCase(Locale.ROOT);
        if (!ACCEPTED_FORMATS.contains(format)) {
            reader.dispose();
            throw new ImageRejectedException(ImageRejectedException.UNSUPPORTED, "The body is a "
                    + format.toUpperCase(Locale.ROOT) + " image; send a JPEG, PNG, GIF, BMP or WebP image.");
        }
        return reader;
    }

    private void checkDimensions(int width, int height) throws ImageRejectedException {
        if (width <= 0 || height <= 0) {
            throw new ImageRejectedException(ImageRejectedException.CORRUPT, "The image has no pixels.");
        }
        if (width > limits.maxSide() || height > limits.maxSide()
                || (long) width * height > limits.maxPixels()) {
            throw new ImageRejectedException(ImageRejectedException.TOO_LARGE, "The image is " + width + "x"
                    + height + "; the limit is " + limits.maxPixels() + " pixels and " + limits.maxSide()
                    + " per side.");
        }
    }

    /** The JDK reader decodes CMYK/YCCK JPEGs only as a raster; PIL's formula then gives RGB. */
    private RgbImage decodeCmykJpeg(byte[] data) throws IOException, ImageRejectedException {
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(data))) {
            ImageReader reader = readerFor(in);
            try {
                reader.setInput(in, true, false);
                Raster raster = reader.readRaster(0, null);
                if (raster.getNumBands() != 4) {
                    throw new ImageRejectedException(ImageRejectedException.UNSUPPORTED,
                            "Unsupported JPEG colour type with " + raster.getNumBands() + " channels.");
                }
                // Adobe CMYK JPEGs (all that Photoshop and PIL write) store inverted ink values.
                return Pixels.fromCmyk(raster, true);
            } finally {
                reader.dispose();
            }
        }
    }

    static RgbImage toRgb(BufferedImage image) throws ImageRejectedException {
        ColorModel cm = image.getColorModel();
        Raster raster = image.getRaster();
        int bands = raster.getNumBands();
        if (cm instanceof IndexColorModel palette) {
            return Pixels.fromPalette(raster, palette);
        }
        int space = cm.getColorSpace().getType();
        if (bands <= 2 && space == ColorSpace.TYPE_GRAY) {
            return Pixels.fromGray(raster);
        }
        if (readInPlace(cm, raster.getSampleModel()) && raster.getDataBuffer() instanceof DataBufferByte) {
            return Pixels.fromInterleavedBytes(raster);
        }
        if (bands >= 3 && space == ColorSpace.TYPE_RGB) {
            return Pixels.fromRgbSamples(raster);
        }
        if (bands == 4 && space == ColorSpace.TYPE_CMYK) {
            return Pixels.fromCmyk(raster, false);
        }
        throw new ImageRejectedException(ImageRejectedException.UNSUPPORTED,
                "Unsupported colour model: " + bands + " channels, colour space type " + space + ".");
    }

    private static boolean isUnsupportedColourType(IIOException e) {
        String m = e.getMessage();
        return m != null && m.toLowerCase(Locale.ROOT).contains("unsupported image type");
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        if (e instanceof OutOfMemoryError) {
            return "it needs more memory than allowed";
        }
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    /** libjpeg reports a truncated file as a warning and fills the rest with gray; PIL refuses such a file. */
    private static final class TruncationWatch implements javax.imageio.event.IIOReadWarningListener {
        volatile boolean truncated;
        volatile String message = "";

        @Override
        public void warningOccurred(ImageReader source, String warning) {
            if (warning != null && warning.toLowerCase(Locale.ROOT).contains("premature end")) {
                truncated = true;
                message = warning;
            }
        }
    }
}
