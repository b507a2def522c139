package io.github.sdlora4j.data;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import java.awt.image.BufferedImage;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * Decodes JPEG/PNG files with {@code javax.imageio} into {@link RawImage}s.
 *
 * <p>ImageIO is used instead of DataVec's {@code NativeImageLoader} because the latter pulls OpenCV and
 * FFmpeg natives for every platform. A truncated JPEG makes ImageIO only <em>warn</em> ("Premature end
 * of JPEG file") and return a partly grey image, so warnings are treated as corruption here.
 */
public final class ImageDecoder {

    private static final byte[] JPEG_END = {(byte) 0xFF, (byte) 0xD9};
    /** The IEND chunk: zero length, type, CRC. */
    private static final byte[] PNG_END = {0, 0, 0, 0, 'I', 'E', 'N', 'D', (byte) 0xAE, 0x42, 0x60, (byte) 0x82};

    private ImageDecoder() {
    }

    /**
     * @return the decoded image: 1 channel for grayscale sources, else 3 (alpha dropped)
     * @throws DatasetFormatException if the file cannot be read, is not a supported image, or is truncated
     */
    public static RawImage decode(Path file) {
        return fromBufferedImage(withFileReader(file, 1 << 16, reader -> readComplete(file, reader)));
    }

    /**
     * Decodes an image already read into memory (e.g. a distributed file source's bytes).
     *
     * @param name  what the image is called in error messages (its path or URI)
     * @param bytes the file's content
     * @return as {@link #decode(Path)}
     * @throws DatasetFormatException as {@link #decode(Path)}, naming {@code name}
     */
    public static RawImage decode(Path name, byte[] bytes) {
        return fromBufferedImage(withReader(name, new ByteArrayInputStream(bytes), reader -> readComplete(name, reader)));
    }

    private static BufferedImage readComplete(Path file, ImageReader reader) throws IOException {
        List<String> warnings = new ArrayList<>();
        reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
        BufferedImage img = reader.read(0);
        if (!warnings.isEmpty()) {
            throw new DatasetFormatException(file, "expected a complete image, the decoder warned: "
                    + String.join("; ", warnings));
        }
        return img;
    }

    /**
     * Checks a file without decoding its pixels, as a data check before training: a JPEG or PNG decoder recognises
     * it and reads positive dimensions from its header, and the file ends as a complete image of its format does
     * (JPEG: the end-of-image marker, PNG: the IEND chunk). A file that does not end so is decoded fully to decide,
     * because bytes after the end marker are legal and decode fine; a truncated file, the usual corruption, then fails.
     *
     * @throws DatasetFormatException naming the file and what is wrong with it
     */
    public static void checkHeader(Path file) {
        String format = withFileReader(file, 1 << 13, reader -> {
            int w = reader.getWidth(0);
            int h = reader.getHeight(0);
            if (w <= 0 || h <= 0) {
                throw new DatasetFormatException(file, "expected positive image dimensions, the header says "
                        + w + "x" + h);
            }
            return reader.getFormatName().toLowerCase(Locale.ROOT);
        });
        if (!endsComplete(file, format)) {
            decode(file);
        }
    }

    /** What is done with a decoder that has its input. */
    private interface ReaderStep<T> {
        T apply(ImageReader reader) throws IOException;
    }

    private static <T> T withFileReader(Path file, int bufferSize, ReaderStep<T> step) {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), bufferSize)) {
            return withReader(file, raw, step);
        } catch (IOException e) {
            throw unreadable(file, e);
        }
    }

    /** Runs {@code step} on the decoder ImageIO finds for {@code raw}; any failure names {@code file}. */
    private static <T> T withReader(Path file, InputStream raw, ReaderStep<T> step) {
        // Closing an ImageInputStream does not close the stream it wraps (the caller closes that); the memory cache
        // avoids ImageIO's default temp-file cache.
        try (ImageInputStream in = new MemoryCacheImageInputStream(raw)) {
            ImageReader reader = readerFor(file, in);
            try {
                reader.setInput(in, true, true);
                return step.apply(reader);
            } finally {
                reader.dispose();
            }
        } catch (DatasetFormatException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw unreadable(file, e);
        }
    }

    private static DatasetFormatException unreadable(Path file, Exception cause) {
        return new DatasetFormatException(file, "expected a readable JPEG or PNG image", cause);
    }

    private static boolean endsComplete(Path file, String format) {
        byte[] end = switch (format) {
            case "jpeg", "jpg" -> JPEG_END;
            case "png" -> PNG_END;
            default -> null;
        };
        if (end == null) {
            return true; // other formats: the header check is all
        }
        try (SeekableByteChannel ch = Files.newByteChannel(file)) {
            if (ch.size() < end.length) {
                return false;
            }
            ByteBuffer tail = ByteBuffer.allocate(end.length);
            ch.position(ch.size() - end.length);
            while (tail.hasRemaining()) {
                if (ch.read(tail) < 0) {
                    return false;
                }
            }
            return Arrays.equals(tail.array(), end);
        } catch (IOException e) {
            return false;
        }
    }

    private static ImageReader readerFor(Path file, ImageInputStream in) {
        Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
        if (!readers.hasNext()) {
            throw new DatasetFormatException(file, "expected a JPEG or PNG image, found no decoder for its content");
        }
        return readers.next();
    }

    /** @return the pixels of {@code img} as planar bytes (1 channel if grayscale, else RGB) */
    public static RawImage fromBufferedImage(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        boolean gray = img.getColorModel().getColorSpace().getNumComponents() == 1
                && img.getType() != BufferedImage.TYPE_BYTE_INDEXED;
        if (gray) {
            byte[] px = new byte[w * h];
            var raster = img.getRaster();
            int bits = img.getColorModel().getComponentSize(0);
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                raster.getSamples(0, y, w, 1, 0, row);
                for (int x = 0; x < w; x++) {
                    // 16-bit grayscale PNGs keep the high byte.
                    px[y * w + x] = (byte) (bits > 8 ? row[x] >>> (bits - 8) : row[x]);
                }
            }
            return new RawImage(w, h, 1, px);
        }
        byte[] px = new byte[3 * w * h];
        int plane = w * h;
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            img.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                int argb = row[x];
                int i = y * w + x;
                px[i] = (byte) (argb >> 16);
                px[plane + i] = (byte) (argb >> 8);
                px[2 * plane + i] = (byte) argb;
            }
        }
        return new RawImage(w, h, 3, px);
    }
}
