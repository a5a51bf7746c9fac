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
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.Locale;

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

    private final ImageLimits limits;

    public ImageDecoder(ImageLimits limits) {
        this.limits = limits;
    }

    public RgbImage decode(byte[] data) throws ImageRejectedException {
        if (data == null || data.length == 0) {
            throw new ImageRejectedException(ImageRejectedException.EMPTY, "The image is empty.");
        }
        try {
            return decodeChecked(data);
        } catch (ImageRejectedException e) {
            throw e;
        } catch (IOException | RuntimeException | OutOfMemoryError e) {
            // ImageIO plugins throw all kinds of unchecked exceptions on malformed input; none may escape as a 500.
            throw new ImageRejectedException(ImageRejectedException.CORRUPT,
                    "The image could not be decoded: " + describe(e));
        }
    }

    private RgbImage decodeChecked(byte[] data) throws IOException, ImageRejectedException {
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(data))) {
            ImageReader reader = readerFor(in);
            String format = reader.getFormatName().toLowerCase(Locale.ROOT);
            TruncationWatch truncation = new TruncationWatch();
            try {
                reader.setInput(in, true, true);
                reader.addIIOReadWarningListener(truncation);
                checkDimensions(reader.getWidth(0), reader.getHeight(0));
                BufferedImage image;
                try {
                    image = reader.read(0, readParam(reader, format));
                } catch (IIOException e) {
                    if (format.equals("jpeg") && isUnsupportedColourType(e)) {
                        return decodeCmykJpeg(data);
                    }
                    throw e;
                }
                if (truncation.truncated) {
                    throw new ImageRejectedException(ImageRejectedException.CORRUPT,
                            "The image is truncated: " + truncation.message);
                }
                return toRgb(image);
            } finally {
                reader.dispose();
            }
        }
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

    private static ImageReader readerFor(ImageInputStream in) throws ImageRejectedException {
        Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
        if (!readers.hasNext()) {
            throw new ImageRejectedException(ImageRejectedException.NOT_AN_IMAGE,
                    "The body is not a JPEG, PNG, GIF, BMP or WebP image.");
        }
        return readers.next();
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
        if (bands >= 3 && space == ColorSpace.TYPE_RGB) {
            if (raster.getDataBuffer() instanceof DataBufferByte
                    && raster.getSampleModel() instanceof PixelInterleavedSampleModel) {
                return Pixels.fromInterleavedBytes(raster);
            }
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
