package io.github.sdlora4j.data;

import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * MNIST-style IDX files, gzipped or not (detected from the content, not the name):
 * {@code train-images-idx3-ubyte}, {@code train-labels-idx1-ubyte}, {@code t10k-images-idx3-ubyte},
 * {@code t10k-labels-idx1-ubyte}, each optionally with {@code .gz}.
 *
 * <p>Formats {@code mnist} and {@code fashion-mnist}; both have 10 classes. Without a root,
 * {@code fashion-mnist} reads {@value #FASHION_MNIST_DEFAULT_DIR} (Debian's {@code dataset-fashion-mnist}).
 * Images are 1-channel bytes in memory (60,000 x 784 = 47 MB).
 */
public final class IdxReader implements DatasetReader {

    /** Where Debian's {@code dataset-fashion-mnist} package installs the files. */
    public static final String FASHION_MNIST_DEFAULT_DIR = "/usr/share/datasets/fashion-mnist";

    static final int IMAGES_MAGIC = 0x00000803;
    static final int LABELS_MAGIC = 0x00000801;

    private static final List<String> FASHION_NAMES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
    private static final List<String> DIGIT_NAMES = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");

    private final String name;
    private final List<String> classNames;
    private final Path defaultRoot;

    private IdxReader(String name, List<String> classNames, Path defaultRoot) {
        this.name = name;
        this.classNames = classNames;
        this.defaultRoot = defaultRoot;
    }

    /** @return the MNIST reader (no default folder) */
    public static IdxReader mnist() {
        return new IdxReader("mnist", DIGIT_NAMES, null);
    }

    /** @return the Fashion-MNIST reader, defaulting to {@value #FASHION_MNIST_DEFAULT_DIR} */
    public static IdxReader fashionMnist() {
        return new IdxReader("fashion-mnist", FASHION_NAMES, Path.of(FASHION_MNIST_DEFAULT_DIR));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public LabeledDataset read(Path root, Map<String, String> options, boolean skipCorrupt) {
        Path dir = BinaryIo.requireDirectory(root == null ? defaultRoot : root, name);
        DatasetSplit train = readSplit(dir, "train", skipCorrupt);
        DatasetSplit test = readSplit(dir, "t10k", skipCorrupt);
        List<Path> files = new ArrayList<>();
        for (String prefix : new String[]{"train", "t10k"}) {
            files.add(require(dir, prefix + "-images-idx3-ubyte"));
            files.add(require(dir, prefix + "-labels-idx1-ubyte"));
        }
        return new LabeledDataset(name + " at " + dir, classNames, train, test, files);
    }

    private DatasetSplit readSplit(Path dir, String prefix, boolean skipCorrupt) {
        Path imagesFile = require(dir, prefix + "-images-idx3-ubyte");
        Path labelsFile = require(dir, prefix + "-labels-idx1-ubyte");
        int[] labels = readLabels(labelsFile);
        int[] dims = new int[2];
        byte[] pixels = readImages(imagesFile, labels.length, dims);
        int h = dims[0];
        int w = dims[1];
        SkipLog skips = new SkipLog(skipCorrupt, name + " " + labelsFile);
        List<Integer> keep = new ArrayList<>();
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classNames.size()) {
                skips.problem(labelsFile, "expected labels in 0.." + (classNames.size() - 1) + ", item " + i
                        + " has label " + labels[i]);
            } else {
                keep.add(i);
            }
        }
        skips.summarize();
        if (keep.size() < labels.length) {
            int n = h * w;
            byte[] kept = new byte[keep.size() * n];
            int[] keptLabels = new int[keep.size()];
            for (int k = 0; k < keep.size(); k++) {
                System.arraycopy(pixels, keep.get(k) * n, kept, k * n, n);
                keptLabels[k] = labels[keep.get(k)];
            }
            pixels = kept;
            labels = keptLabels;
        }
        return new InMemorySplit(imagesFile.toString(), w, h, 1, pixels, labels);
    }

    private static Path require(Path dir, String name) {
        Path f = BinaryIo.findPlainOrGz(dir, name);
        if (f == null) {
            throw new DatasetFormatException(dir.resolve(name), "expected the IDX file " + name + " or " + name
                    + ".gz, neither exists");
        }
        return f;
    }

    private static int[] readLabels(Path file) {
        return readIdx(file, LABELS_MAGIC, "label", "1 dimension", in -> {
            int n = in.readInt();
            if (n < 0) {
                throw new DatasetFormatException(file, "expected a non-negative item count, found " + n);
            }
            byte[] raw = new byte[n];
            int got = BinaryIo.readFully(in, raw, 0, n);
            if (got != n) {
                throw new DatasetFormatException(file, "expected " + n + " labels as the header says, file ends after "
                        + got);
            }
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) {
                labels[i] = raw[i] & 0xFF;
            }
            return labels;
        });
    }

    private static byte[] readImages(Path file, int expectedCount, int[] dimsOut) {
        return readIdx(file, IMAGES_MAGIC, "image", "3 dimensions", in -> {
            int n = in.readInt();
            int h = in.readInt();
            int w = in.readInt();
            if (n != expectedCount) {
                throw new DatasetFormatException(file, "expected " + expectedCount
                        + " images to match the label file, the header says " + n);
            }
            if (h <= 0 || w <= 0 || (long) n * h * w > Integer.MAX_VALUE - 8) {
                throw new DatasetFormatException(file, "expected a sensible image size, header says " + n + "x" + h
                        + "x" + w);
            }
            byte[] px = new byte[n * h * w];
            int got = BinaryIo.readFully(in, px, 0, px.length);
            if (got != px.length) {
                throw new DatasetFormatException(file, "expected " + px.length + " pixel bytes (" + n + " images of "
                        + h + "x" + w + "), file ends after " + got);
            }
            dimsOut[0] = h;
            dimsOut[1] = w;
            return px;
        });
    }

    /** Reads what follows an IDX file's magic number. */
    private interface IdxBody<T> {
        T read(DataInputStream in) throws IOException;
    }

    /**
     * Opens an IDX file, checks its magic number and reads the rest with {@code body}.
     *
     * @param kind   what the file holds, for messages ({@code label}, {@code image})
     * @param layout the element type and dimensions the magic number stands for, for messages
     */
    private static <T> T readIdx(Path file, int magic, String kind, String layout, IdxBody<T> body) {
        try (DataInputStream in = new DataInputStream(BinaryIo.open(file))) {
            int found = in.readInt();
            if (found != magic) {
                throw new DatasetFormatException(file, String.format(
                        "expected IDX %s magic number 0x%08X (unsigned byte, %s), found 0x%08X", kind, magic, layout,
                        found));
            }
            return body.read(in);
        } catch (IOException e) {
            throw new DatasetFormatException(file, "expected a complete IDX " + kind + " file", e);
        }
    }

    /** @return the class names of this format */
    public List<String> classNames() {
        return classNames;
    }
}
