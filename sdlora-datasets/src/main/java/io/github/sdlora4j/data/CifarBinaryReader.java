package io.github.sdlora4j.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * The official CIFAR binary formats: 32x32 RGB records of label byte(s) then 3072 planar pixel bytes.
 *
 * <ul>
 *   <li>{@code cifar100}: {@code train.bin}, {@code test.bin}; record = coarse label, fine label, pixels
 *       (3074 bytes); the fine label (0..99) is the class; names from {@code fine_label_names.txt}.</li>
 *   <li>{@code cifar10}: {@code data_batch_1.bin..data_batch_5.bin}, {@code test_batch.bin}; record =
 *       label, pixels (3073 bytes); names from {@code batches.meta.txt}.</li>
 * </ul>
 * The root may be the folder holding the files or its parent ({@code cifar-100-binary/},
 * {@code cifar-10-batches-bin/}, as unpacked from the official archives). Missing name files give
 * {@code class_<i>}. Images stay as bytes in memory (CIFAR-100 train: 154 MB).
 */
public final class CifarBinaryReader implements DatasetReader {

    private static final int PIXELS = 3 * 32 * 32;

    private final String name;
    private final int labelBytes;
    private final int numClasses;
    private final String subfolder;
    private final List<String> trainFiles;
    private final List<String> testFiles;
    private final String namesFile;

    private CifarBinaryReader(String name, int labelBytes, int numClasses, String subfolder, List<String> trainFiles,
                              List<String> testFiles, String namesFile) {
        this.name = name;
        this.labelBytes = labelBytes;
        this.numClasses = numClasses;
        this.subfolder = subfolder;
        this.trainFiles = trainFiles;
        this.testFiles = testFiles;
        this.namesFile = namesFile;
    }

    /** @return the CIFAR-100 reader (format {@code cifar100}) */
    public static CifarBinaryReader cifar100() {
        return new CifarBinaryReader("cifar100", 2, 100, "cifar-100-binary", List.of("train.bin"),
                List.of("test.bin"), "fine_label_names.txt");
    }

    /** @return the CIFAR-10 reader (format {@code cifar10}) */
    public static CifarBinaryReader cifar10() {
        return new CifarBinaryReader("cifar10", 1, 10, "cifar-10-batches-bin",
                IntStream.rangeClosed(1, 5).mapToObj(i -> "data_batch_" + i + ".bin").toList(),
                List.of("test_batch.bin"), "batches.meta.txt");
    }

    @Override
    public String name() {
        return name;
    }

    /** @return bytes per record (label bytes plus 3072 pixels) */
    public int recordSize() {
        return labelBytes + PIXELS;
    }

    @Override
    public LabeledDataset read(Path root, Map<String, String> options, boolean skipCorrupt) {
        Path dir = BinaryIo.descendIfPresent(BinaryIo.requireDirectory(root, name), subfolder, testFiles.get(0));
        DatasetSplit train = readSplit(dir, trainFiles, skipCorrupt);
        DatasetSplit test = readSplit(dir, testFiles, skipCorrupt);
        List<Path> files = new ArrayList<>();
        trainFiles.forEach(n -> files.add(dir.resolve(n)));
        testFiles.forEach(n -> files.add(dir.resolve(n)));
        if (Files.isRegularFile(dir.resolve(namesFile))) {
            files.add(dir.resolve(namesFile));
        }
        return new LabeledDataset(name + " at " + dir, classNames(dir), train, test, files);
    }

    private DatasetSplit readSplit(Path dir, List<String> names, boolean skipCorrupt) {
        List<Path> files = new ArrayList<>();
        for (String n : names) {
            Path f = dir.resolve(n);
            if (!Files.isRegularFile(f)) {
                throw new DatasetFormatException(f, "expected the " + name + " file " + n + " (official binary version), it is missing");
            }
            files.add(f);
        }
        SkipLog skips = new SkipLog(skipCorrupt, name + " " + String.join(",", names) + " in " + dir);
        int rec = recordSize();
        long[] sizes = new long[files.size()];
        long totalRecords = 0;
        for (int i = 0; i < files.size(); i++) {
            try {
                sizes[i] = Files.size(files.get(i));
            } catch (IOException e) {
                throw new DatasetFormatException(files.get(i), "expected a readable file", e);
            }
            totalRecords += sizes[i] / rec;
        }
        if (totalRecords * PIXELS > Integer.MAX_VALUE - 8) {
            throw new DatasetFormatException(files.get(0), "expected at most " + (Integer.MAX_VALUE / PIXELS)
                    + " records in one split, found " + totalRecords);
        }
        // Preallocated: CIFAR-100's 154 MB of training pixels are never copied through a growing buffer.
        byte[] pixels = new byte[(int) (totalRecords * PIXELS)];
        int[] labels = new int[(int) totalRecords];
        int count = 0;
        byte[] buf = new byte[rec];
        for (int fi = 0; fi < files.size(); fi++) {
            Path f = files.get(fi);
            long size = sizes[fi];
            if (size == 0 || size % rec != 0) {
                skips.problem(f, "expected a size that is a positive multiple of the " + rec + "-byte record ("
                        + labelBytes + " label byte(s) + " + PIXELS + " pixels), found " + size + " bytes; "
                        + (size % rec) + " bytes past the last whole record");
            }
            try (InputStream in = Files.newInputStream(f)) {
                long records = size / rec;
                for (long r = 0; r < records; r++) {
                    if (BinaryIo.readFully(in, buf, 0, rec) != rec) {
                        throw new DatasetFormatException(f, "expected " + records + " records, file ended at record " + r);
                    }
                    int label = buf[labelBytes - 1] & 0xFF;
                    if (label >= numClasses) {
                        skips.problem(f, "expected a class label in 0.." + (numClasses - 1) + " in record " + r
                                + " (byte offset " + (r * rec + labelBytes - 1) + "), found " + label);
                        continue;
                    }
                    labels[count] = label;
                    System.arraycopy(buf, labelBytes, pixels, count * PIXELS, PIXELS);
                    count++;
                }
            } catch (IOException e) {
                throw new DatasetFormatException(f, "expected a readable file", e);
            }
        }
        skips.summarize();
        if (count == 0) {
            throw new DatasetFormatException(files.get(0), "expected at least one valid record");
        }
        if (count < labels.length) {
            pixels = Arrays.copyOf(pixels, count * PIXELS);
            labels = Arrays.copyOf(labels, count);
        }
        return new InMemorySplit(String.join("+", names), 32, 32, 3, pixels, labels);
    }

    private List<String> classNames(Path dir) {
        Path f = dir.resolve(namesFile);
        if (Files.isRegularFile(f)) {
            try {
                List<String> names = Files.readAllLines(f, StandardCharsets.UTF_8).stream()
                        .map(String::strip).filter(s -> !s.isEmpty()).toList();
                if (names.size() == numClasses) {
                    return names;
                }
                throw new DatasetFormatException(f, "expected " + numClasses + " non-empty class names, found "
                        + names.size());
            } catch (IOException e) {
                throw new DatasetFormatException(f, "expected a readable text file of class names", e);
            }
        }
        return IntStream.range(0, numClasses).mapToObj(i -> "class_" + i).toList();
    }
}
