package io.github.sdlora4j.data;

import io.github.sdlora4j.transforms.PreprocessingSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Image folders and DomainNet lists, including the lazily detected corrupt images. */
class FileReadersTest {

    @TempDir
    Path root;

    /** classes cat, ant, bee (sorted: ant=0, bee=1, cat=2); PNG and JPG; value encodes the original class. */
    private void writeFolders() throws IOException {
        String[] classes = {"cat", "ant", "bee"};
        int[] sortedIndex = {2, 0, 1};
        for (int i = 0; i < classes.length; i++) {
            int v = Fixtures.classValue(sortedIndex[i]);
            Fixtures.writeImage(root.resolve("train/" + classes[i] + "/a.png"), 20, 14, v);
            Fixtures.writeImage(root.resolve("train/" + classes[i] + "/b.JPG"), 14, 20, v);
            Fixtures.writeImage(root.resolve("test/" + classes[i] + "/c.jpeg"), 16, 16, v);
        }
        Files.writeString(root.resolve("train/ant/notes.txt"), "not an image");
    }

    private static DatasetFormatException formatCause(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof DatasetFormatException d) {
                return d;
            }
        }
        throw new AssertionError("no DatasetFormatException in the cause chain", t);
    }

    /** Reading {@code root} as {@code format} fails on {@code file} (relative to the root), saying {@code part}. */
    private void assertReadFails(String format, String file, String part) {
        DatasetFormatException e = assertThrows(DatasetFormatException.class,
                () -> DatasetReaders.forName(format).read(root, Map.of(), false));
        assertEquals(root.resolve(file), e.file());
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }

    @Test
    void imageFolderClassesAreSortedFolderNames() throws IOException {
        writeFolders();
        Map<String, String> before = Fixtures.snapshot(root);
        LabeledDataset ds = DatasetReaders.forName("imagenet-r").read(root, Map.of(), false);
        assertEquals(List.of("ant", "bee", "cat"), ds.classNames());
        assertEquals(6, ds.train().size());
        assertEquals(3, ds.test().size());
        for (int i = 0; i < ds.train().size(); i++) {
            RawImage img = ds.train().image(i);
            // JPEG is lossy: allow a small error on the constant colour.
            assertEquals(Fixtures.classValue(ds.train().label(i)), img.get(1, 5, 5), 3.0, ds.train().source(i));
            assertEquals(3, img.channels());
        }
        RawImage png = ds.train().image(0);
        assertEquals(20, png.width());
        assertEquals(14, png.height());
        try (ClassIncrementalBenchmark b = new ClassIncrementalBenchmark(ds, new int[] {2, 0, 1}, 2, 1,
                PreprocessingSpec.forSize(8), false, 2, 2)) {
            assertEquals(2, b.testIteratorSeen(0, 10).next().numExamples());
            assertEquals(3, b.testIteratorSeen(1, 10).next().numExamples());
            assertEquals(List.of("cat", "ant", "bee"), b.classNames());
        }
        assertEquals(before, Fixtures.snapshot(root), "nothing may be written into the dataset folder");
    }

    @Test
    void missingSplitFolder() throws IOException {
        writeFolders();
        Files.move(root.resolve("test"), root.resolve("val"));
        assertReadFails("image-folder", "test", "'test' split folder");
    }

    @Test
    void emptyClassFolder() throws IOException {
        writeFolders();
        Files.createDirectories(root.resolve("train/dog"));
        Files.createDirectories(root.resolve("test/dog"));
        Fixtures.writeImage(root.resolve("test/dog/x.png"), 4, 4, 1);
        assertReadFails("cub200", "train/dog", "at least one");
    }

    @Test
    void classInTrainButNotTest() throws IOException {
        writeFolders();
        Fixtures.writeImage(root.resolve("train/dog/x.png"), 4, 4, 1);
        assertReadFails("imagenet-a", "test/dog", "'dog'");
    }

    @Test
    void truncatedImagesFailWithTheirPathOrAreSkipped() throws IOException {
        writeFolders();
        Path badPng = root.resolve("train/bee/a.png");
        Path badJpg = root.resolve("train/cat/b.JPG");
        Fixtures.truncate(badPng, (int) Files.size(badPng) / 2);
        Fixtures.truncate(badJpg, (int) Files.size(badJpg) / 2);
        // A JPEG cut inside its scan data decodes with only a warning in ImageIO; it must still count as corrupt.
        Path cutScan = root.resolve("cut.jpg");
        Fixtures.writeNoiseJpeg(cutScan, 64, 64);
        byte[] jpeg = Files.readAllBytes(cutScan);
        int sos = 0;
        while (!((jpeg[sos] & 0xFF) == 0xFF && (jpeg[sos + 1] & 0xFF) == 0xDA)) {
            sos++;
        }
        Fixtures.truncate(cutScan, sos + (jpeg.length - sos) / 2);
        DatasetFormatException warned = assertThrows(DatasetFormatException.class, () -> ImageDecoder.decode(cutScan));
        assertEquals(cutScan, warned.file());
        DatasetFormatException png = assertThrows(DatasetFormatException.class, () -> ImageDecoder.decode(badPng));
        assertEquals(badPng, png.file());
        DatasetFormatException jpg = assertThrows(DatasetFormatException.class, () -> ImageDecoder.decode(badJpg));
        assertEquals(badJpg, jpg.file());
        DatasetFormatException txt = assertThrows(DatasetFormatException.class,
                () -> ImageDecoder.decode(root.resolve("train/ant/notes.txt")));
        assertTrue(txt.getMessage().contains("JPEG or PNG"), txt.getMessage());

        LabeledDataset ds = DatasetReaders.forName("image-folder").read(root, Map.of(), false);
        try (ClassIncrementalBenchmark b = new ClassIncrementalBenchmark(ds, new int[] {0, 1, 2}, 3, 1,
                PreprocessingSpec.forSize(8), false, 1, 2)) {
            DataSetIterator it = b.trainIterator(0, 6, 1);
            RuntimeException e = assertThrows(RuntimeException.class, () -> {
                while (it.hasNext()) {
                    it.next();
                }
            });
            DatasetFormatException cause = formatCause(e);
            assertTrue(cause.file().equals(badPng) || cause.file().equals(badJpg), cause.getMessage());
        }
        try (ClassIncrementalBenchmark b = new ClassIncrementalBenchmark(ds, new int[] {0, 1, 2}, 3, 1,
                PreprocessingSpec.forSize(8), true, 1, 2)) {
            DataSetIterator it = b.trainIterator(0, 6, 1);
            DataSet d = it.next();
            assertEquals(4, d.numExamples(), "the two corrupt images are dropped from the batch");
            assertEquals(2, b.skippedImages());
        }
    }

    /** ImageNet contains CMYK JPEGs; they must decode to RGB rather than count as corrupt. */
    @Test
    void cmykJpegDecodesToRgb() throws IOException {
        java.awt.image.WritableRaster r = java.awt.image.Raster.createInterleavedRaster(
                java.awt.image.DataBuffer.TYPE_BYTE, 16, 16, 4, null);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                r.setPixel(x, y, new int[] {200, 50, 10, 30});
            }
        }
        Path f = root.resolve("cmyk.jpg");
        javax.imageio.ImageWriter w = javax.imageio.ImageIO.getImageWritersByFormatName("jpeg").next();
        try (javax.imageio.stream.ImageOutputStream out = javax.imageio.ImageIO.createImageOutputStream(f.toFile())) {
            w.setOutput(out);
            w.write(null, new javax.imageio.IIOImage(r, null, null), null);
        } finally {
            w.dispose();
        }
        RawImage img = ImageDecoder.decode(f);
        assertEquals(3, img.channels());
        assertEquals(16, img.width());
    }

    @Test
    void decodingDoesNotLeakFileHandles() throws IOException {
        Path fdDir = Path.of("/proc/self/fd");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(fdDir), "needs /proc/self/fd");
        Path png = root.resolve("x.png");
        Fixtures.writeImage(png, 8, 8, 77);
        ImageDecoder.decode(png);
        long before;
        try (var s = Files.list(fdDir)) {
            before = s.count();
        }
        for (int i = 0; i < 500; i++) {
            assertEquals(77, ImageDecoder.decode(png).get(0, 1, 1));
        }
        long after;
        try (var s = Files.list(fdDir)) {
            after = s.count();
        }
        assertTrue(after - before < 20, "open file handles grew from " + before + " to " + after);
    }

    /** DomainNet lists: {@code <domain>_{train,test}.txt}, paths relative to the root. */
    private void writeDomainNet(int classes) throws IOException {
        StringBuilder train = new StringBuilder();
        StringBuilder test = new StringBuilder();
        for (String domain : new String[] {"clipart", "sketch"}) {
            for (int c = 0; c < classes; c++) {
                String rel = domain + "/cls" + c + "/" + domain + "_" + c;
                Fixtures.writeImage(root.resolve(rel + "_1.jpg"), 12, 12, Fixtures.classValue(c));
                Fixtures.writeImage(root.resolve(rel + "_2.png"), 12, 12, Fixtures.classValue(c));
                train.append(rel).append("_1.jpg ").append(c).append('\n');
                test.append(rel).append("_2.png ").append(c).append('\n');
            }
            Files.writeString(root.resolve(domain + "_train.txt"), train);
            Files.writeString(root.resolve(domain + "_test.txt"), test);
            train.setLength(0);
            test.setLength(0);
        }
    }

    @Test
    void readsDomainNetLists() throws IOException {
        writeDomainNet(4);
        LabeledDataset ds = DatasetReaders.forName("domainnet").read(root, Map.of("classes", "4"), false);
        assertEquals(List.of("cls0", "cls1", "cls2", "cls3"), ds.classNames());
        assertEquals(8, ds.train().size());
        assertEquals(8, ds.test().size());
        assertEquals(Fixtures.classValue(ds.test().label(5)), ds.test().image(5).get(0, 3, 3));
        LabeledDataset one = DatasetReaders.forName("domainnet").read(root, Map.of("classes", "4", "domains", "sketch"), false);
        assertEquals(4, one.train().size());
        assertTrue(one.train().source(0).contains("sketch"));
    }

    @Test
    void domainNetLabelOutOfRangeAndMissingImage() throws IOException {
        writeDomainNet(4);
        Files.writeString(root.resolve("sketch_train.txt"), "sketch/cls1/sketch_1_1.jpg 345\n",
                java.nio.file.StandardOpenOption.APPEND);
        DatasetFormatException e = assertThrows(DatasetFormatException.class,
                () -> DatasetReaders.forName("domainnet").read(root, Map.of(), false));
        assertTrue(e.getMessage().contains("sketch_train.txt") && e.getMessage().contains("0..344")
                && e.getMessage().contains("line 5"), e.getMessage());
        Files.writeString(root.resolve("clipart_test.txt"), "clipart/cls9/missing.jpg 2\n",
                java.nio.file.StandardOpenOption.APPEND);
        LabeledDataset skipped = DatasetReaders.forName("domainnet").read(root, Map.of("classes", "4"), true);
        assertEquals(8, skipped.train().size());
        assertEquals(8, skipped.test().size());
        Files.writeString(root.resolve("sketch_train.txt"), "sketch/cls1/sketch_1_1.jpg 1\n");
        DatasetFormatException missing = assertThrows(DatasetFormatException.class,
                () -> DatasetReaders.forName("domainnet").read(root, Map.of("classes", "4"), false));
        assertEquals(root.resolve("clipart/cls9/missing.jpg"), missing.file());
    }
}
