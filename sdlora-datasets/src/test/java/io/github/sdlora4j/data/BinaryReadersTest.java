package io.github.sdlora4j.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class BinaryReadersTest {

    @TempDir
    Path dir;

    @Test
    void readsCifar100WithNamesAndFineLabels() throws IOException {
        Fixtures.writeCifar(dir.resolve("train.bin"), 100, 2, true);
        Fixtures.writeCifar(dir.resolve("test.bin"), 100, 1, true);
        StringBuilder names = new StringBuilder();
        for (int c = 0; c < 100; c++) {
            names.append("fine").append(c).append('\n');
        }
        Files.writeString(dir.resolve("fine_label_names.txt"), names);
        Map<String, String> before = Fixtures.snapshot(dir);
        LabeledDataset ds = DatasetReaders.forName("cifar100").read(dir, Map.of(), false);
        assertEquals(Fixtures.snapshot(dir), before, "readers must not write into the dataset folder");
        assertEquals(100, ds.numClasses());
        assertEquals("fine42", ds.classNames().get(42));
        assertEquals(200, ds.train().size());
        assertEquals(100, ds.test().size());
        for (int i : new int[] {0, 57, 199}) {
            int label = ds.train().label(i);
            assertEquals(i % 100, label);
            RawImage img = ds.train().image(i);
            assertEquals(32, img.width());
            assertEquals(3, img.channels());
            assertEquals(Fixtures.classValue(label), img.get(2, 31, 31));
        }
    }

    @Test
    void cifar100WithoutNamesFileUsesGenericNamesAndAcceptsTheArchiveSubfolder() throws IOException {
        Path sub = Files.createDirectories(dir.resolve("cifar-100-binary"));
        Fixtures.writeCifar(sub.resolve("train.bin"), 100, 1, true);
        Fixtures.writeCifar(sub.resolve("test.bin"), 100, 1, true);
        LabeledDataset ds = DatasetReaders.forName("CIFAR100").read(dir, Map.of(), false);
        assertEquals("class_7", ds.classNames().get(7));
    }

    @Test
    void cifarFileSizeMustBeAMultipleOfTheRecordSize() throws IOException {
        Fixtures.writeCifar(dir.resolve("train.bin"), 100, 1, true);
        Fixtures.writeCifar(dir.resolve("test.bin"), 100, 1, true);
        Files.write(dir.resolve("train.bin"), new byte[] {1, 2, 3}, java.nio.file.StandardOpenOption.APPEND);
        DatasetFormatException e = assertThrows(DatasetFormatException.class,
                () -> DatasetReaders.forName("cifar100").read(dir, Map.of(), false));
        assertTrue(e.getMessage().contains("train.bin") && e.getMessage().contains("3074"), e.getMessage());
        assertEquals(dir.resolve("train.bin"), e.file());
        // With skipCorrupt the complete records are kept and the tail ignored.
        assertEquals(100, DatasetReaders.forName("cifar100").read(dir, Map.of(), true).train().size());
    }

    @Test
    void cifarLabelOutOfRangeIsReported() throws IOException {
        Fixtures.writeCifar(dir.resolve("train.bin"), 100, 1, true);
        byte[] bad = Fixtures.cifarRecord(0, 100, true);
        Files.write(dir.resolve("test.bin"), bad);
        Files.write(dir.resolve("test.bin"), Fixtures.cifarRecord(0, 3, true), java.nio.file.StandardOpenOption.APPEND);
        DatasetFormatException e = assertThrows(DatasetFormatException.class,
                () -> DatasetReaders.forName("cifar100").read(dir, Map.of(), false));
        assertTrue(e.getMessage().contains("test.bin") && e.getMessage().contains("0..99")
                && e.getMessage().contains("found 100"), e.getMessage());
        LabeledDataset skipped = DatasetReaders.forName("cifar100").read(dir, Map.of(), true);
        assertEquals(1, skipped.test().size());
        assertEquals(3, skipped.test().label(0));
    }

    @Test
    void missingCifarFileIsNamed() throws IOException {
        Fixtures.writeCifar(dir.resolve("test.bin"), 100, 1, true);
        DatasetFormatException e = assertThrows(DatasetFormatException.class,
                () -> DatasetReaders.forName("cifar100").read(dir, Map.of(), false));
        assertEquals(dir.resolve("train.bin"), e.file());
        assertThrows(DatasetFormatException.class,
                () -> DatasetReaders.forName("cifar100").read(dir.resolve("nope"), Map.of(), false));
    }

    @Test
    void readsCifar10Batches() throws IOException {
        for (int b = 1; b <= 5; b++) {
            Fixtures.writeCifar(dir.resolve("data_batch_" + b + ".bin"), 10, 1, false);
        }
        Fixtures.writeCifar(dir.resolve("test_batch.bin"), 10, 2, false);
        Files.writeString(dir.resolve("batches.meta.txt"),
                "airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n");
        LabeledDataset ds = DatasetReaders.forName("cifar10").read(dir, Map.of(), false);
        assertEquals(50, ds.train().size());
        assertEquals(20, ds.test().size());
        assertEquals("truck", ds.classNames().get(9));
        assertEquals(Fixtures.classValue(ds.test().label(13)), ds.test().image(13).get(0, 0, 0));
        Files.write(dir.resolve("data_batch_3.bin"), new byte[3072]);
        DatasetFormatException e = assertThrows(DatasetFormatException.class,
                () -> DatasetReaders.forName("cifar10").read(dir, Map.of(), false));
        assertTrue(e.getMessage().contains("data_batch_3.bin") && e.getMessage().contains("3073"), e.getMessage());
    }

    @Test
    void readsIdxFilesGzippedOrRaw() throws IOException {
        int[] train = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 3, 3};
        int[] test = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0};
        Fixtures.writeIdx(dir, "train", train, 28, 28, true);
        Fixtures.writeIdx(dir, "t10k", test, 28, 28, false);
        LabeledDataset ds = DatasetReaders.forName("mnist").read(dir, Map.of(), false);
        assertEquals(12, ds.train().size());
        assertEquals(10, ds.test().size());
        assertEquals(10, ds.numClasses());
        assertEquals(3, ds.train().label(11));
        RawImage img = ds.test().image(2);
        assertEquals(1, img.channels());
        assertEquals(28, img.height());
        assertEquals(Fixtures.classValue(7), img.get(0, 27, 27));
        assertEquals("Ankle boot", DatasetReaders.forName("fashion-mnist").read(dir, Map.of(), false).classNames().get(9));
    }

    @Test
    void idxWrongMagicNumberIsReported() throws IOException {
        Fixtures.writeIdx(dir, "train", new int[] {1, 2}, 4, 4, false);
        Fixtures.writeIdx(dir, "t10k", new int[] {1, 2}, 4, 4, false);
        byte[] labels = Files.readAllBytes(dir.resolve("t10k-labels-idx1-ubyte"));
        ByteBuffer.wrap(labels).putInt(0x00000803);
        Files.write(dir.resolve("t10k-labels-idx1-ubyte"), labels);
        DatasetFormatException e = assertThrows(DatasetFormatException.class,
                () -> DatasetReaders.forName("mnist").read(dir, Map.of(), false));
        assertTrue(e.getMessage().contains("t10k-labels-idx1-ubyte") && e.getMessage().contains("0x00000801")
                && e.getMessage().contains("0x00000803"), e.getMessage());
    }

    @Test
    void idxTruncatedAndOutOfRangeLabels() throws IOException {
        Fixtures.writeIdx(dir, "train", new int[] {1, 2, 12}, 4, 4, false);
        Fixtures.writeIdx(dir, "t10k", new int[] {1, 2}, 4, 4, false);
        DatasetFormatException e = assertThrows(DatasetFormatException.class,
                () -> DatasetReaders.forName("mnist").read(dir, Map.of(), false));
        assertTrue(e.getMessage().contains("label 12"), e.getMessage());
        LabeledDataset skipped = DatasetReaders.forName("mnist").read(dir, Map.of(), true);
        assertEquals(2, skipped.train().size());
        assertEquals(Fixtures.classValue(2), skipped.train().image(1).get(0, 0, 0));
        Fixtures.truncate(dir.resolve("t10k-images-idx3-ubyte"), 16 + 20);
        e = assertThrows(DatasetFormatException.class, () -> DatasetReaders.forName("mnist").read(dir, Map.of(), true));
        assertTrue(e.getMessage().contains("t10k-images-idx3-ubyte"), e.getMessage());
    }

    @Test
    void unknownFormatListsTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DatasetReaders.forName("coco"));
        assertTrue(e.getMessage().contains("cifar100") && e.getMessage().contains("imagenet-r"), e.getMessage());
        assertTrue(DatasetReaders.names().containsAll(List.of("cifar100", "cifar10", "image-folder", "imagenet-r",
                "imagenet-a", "cub200", "domainnet", "fashion-mnist", "mnist", "synthetic")));
    }

    /** The real Fashion-MNIST from Debian's dataset-fashion-mnist package, when installed. */
    @Test
    void readsInstalledFashionMnist() {
        Path installed = Path.of(IdxReader.FASHION_MNIST_DEFAULT_DIR);
        assumeTrue(Files.isDirectory(installed), "dataset-fashion-mnist is not installed");
        LabeledDataset ds = DatasetReaders.forName("fashion-mnist").read(null, Map.of(), false);
        assertEquals(60_000, ds.train().size());
        assertEquals(10_000, ds.test().size());
        assertEquals(10, ds.numClasses());
        int[] perClass = new int[10];
        for (int i = 0; i < ds.train().size(); i++) {
            perClass[ds.train().label(i)]++;
        }
        for (int c = 0; c < 10; c++) {
            assertEquals(6000, perClass[c], "class " + c);
        }
        RawImage img = ds.test().image(0);
        assertEquals(28, img.width());
        assertEquals(28, img.height());
        assertEquals(1, img.channels());
    }
}
