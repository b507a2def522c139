package io.github.sdlora4j.datavec;

import io.github.sdlora4j.data.ClassIncrementalBenchmark;
import io.github.sdlora4j.data.DatasetFormatException;
import io.github.sdlora4j.data.DatasetSpec;
import io.github.sdlora4j.data.LabeledDataset;
import org.datavec.api.io.filters.BalancedPathFilter;
import org.datavec.api.io.labels.ParentPathLabelGenerator;
import org.datavec.api.io.labels.PathLabelGenerator;
import org.datavec.api.records.reader.RecordReader;
import org.datavec.api.records.reader.impl.collection.CollectionRecordReader;
import org.datavec.api.records.reader.impl.csv.CSVRecordReader;
import org.datavec.api.split.CollectionInputSplit;
import org.datavec.api.split.FileSplit;
import org.datavec.api.split.InputSplit;
import org.datavec.api.writable.IntWritable;
import org.datavec.api.writable.NDArrayWritable;
import org.datavec.api.writable.Text;
import org.datavec.api.writable.Writable;
import org.deeplearning4j.datasets.datavec.RecordReaderDataSetIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DataVecBenchmarkTest {

    private static final String[] CLASSES = {"cat", "dog", "fox", "owl"};

    @TempDir
    Path dir;

    /** root/{train,test}/<class>/<i>.png; image value = 40·class + 3·i + (test ? 1 : 0), so every image differs. */
    private Path imageFolder() throws IOException {
        Path root = dir.resolve("pets");
        for (String split : new String[] {"train", "test"}) {
            for (int c = 0; c < CLASSES.length; c++) {
                for (int i = 0; i < 3; i++) {
                    writePng(root.resolve(split).resolve(CLASSES[c]).resolve(i + ".png"), 12 + i, 10,
                            40 * c + 3 * i + (split.equals("test") ? 1 : 0));
                }
            }
        }
        Files.writeString(root.resolve("train").resolve("README.txt"), "not an image");
        return root;
    }

    private static void writePng(Path file, int w, int h, int value) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, (value << 16) | (value << 8) | value);
            }
        }
        Files.createDirectories(file.getParent());
        ImageIO.write(img, "png", file.toFile());
    }

    private static DatasetSpec spec() {
        return DatasetSpec.of("image-folder", null, 2, 1, 8).withThreads(1, 2).withClassOrderSeed(7);
    }

    /** (incremental label, rounded mean pixel·255) of every test image of the seen classes, sorted. */
    private static List<String> seenTestImages(ClassIncrementalBenchmark b) {
        List<String> out = new ArrayList<>();
        DataSetIterator it = b.testIteratorSeen(b.numTasks() - 1, 5);
        while (it.hasNext()) {
            DataSet ds = it.next();
            for (int i = 0; i < ds.numExamples(); i++) {
                int label = ds.getLabels().getRow(i).argMax().getInt(0);
                long mean = Math.round(ds.getFeatures().slice(i).meanNumber().doubleValue() * 255);
                out.add(label + ":" + mean);
            }
        }
        Collections.sort(out);
        return out;
    }

    @Test
    void aFolderReadWithDataVecIsTheSameBenchmarkAsOurImageFolderReader() throws IOException {
        Path root = imageFolder();
        ClassIncrementalBenchmark ours = ClassIncrementalBenchmark.open(
                DatasetSpec.of("image-folder", root, 2, 1, 8).withThreads(1, 2).withClassOrderSeed(7));
        for (RecordReader reader : List.of(ImageFileRecordReader.paths(new ParentPathLabelGenerator()),
                ImageFileRecordReader.decoding(new ParentPathLabelGenerator()))) {
            try (ClassIncrementalBenchmark viaDataVec = ClassIncrementalBenchmark.from(reader,
                    new FileSplit(root.resolve("train").toFile()), new FileSplit(root.resolve("test").toFile()), spec())) {
                assertEquals(List.of(CLASSES), viaDataVec.dataset().classNames());
                assertArrayEquals(ours.classOrder(), viaDataVec.classOrder());
                assertEquals(ours.classNames(), viaDataVec.classNames());
                assertEquals(3, viaDataVec.numTasks());
                for (int t = 0; t < 3; t++) {
                    assertEquals(ours.trainSize(t), viaDataVec.trainSize(t));
                }
                assertEquals(12, viaDataVec.testSize(new io.github.sdlora4j.data.ClassRange(0, 4)));
                assertEquals(seenTestImages(ours), seenTestImages(viaDataVec));
                DataSet batch = viaDataVec.trainIterator(1, 8, 3).next();
                int expected = List.of(CLASSES).indexOf(viaDataVec.classNames().get(2));
                assertEquals(3, batch.numExamples(), "task 1 holds one class of three images");
                assertEquals(2, batch.getLabels().argMax(1).getInt(0));
                assertTrue(expected >= 0);
            }
        }
        ours.close();
    }

    @Test
    void aPathFilterSamplesTheTrainAndTestPartsOfOneFolder() throws IOException {
        Path root = imageFolder().resolve("train");
        Random rng = new Random(3);
        String[] png = {"png"};
        InputSplit[] parts = new FileSplit(root.toFile(), png, rng)
                .sample(new BalancedPathFilter(rng, png, new ParentPathLabelGenerator()), 2, 1);
        try (ClassIncrementalBenchmark b = ClassIncrementalBenchmark.from(
                ImageFileRecordReader.paths(new ParentPathLabelGenerator()), parts[0], parts[1], spec())) {
            assertEquals(8, b.trainSize(0) + b.trainSize(1) + b.trainSize(2));
            assertEquals(4, b.testSize(new io.github.sdlora4j.data.ClassRange(0, 4)));
        }
    }

    @Test
    void aCsvOfPathsAndClassNamesIsABenchmark() throws IOException {
        Path root = imageFolder();
        StringBuilder train = new StringBuilder();
        StringBuilder test = new StringBuilder();
        for (String c : CLASSES) {
            for (int i = 0; i < 3; i++) {
                train.append("train/").append(c).append('/').append(i).append(".png,").append(c).append('\n');
                test.append(root.resolve("test").resolve(c).resolve(i + ".png").toUri()).append(',').append(c).append('\n');
            }
        }
        Files.writeString(root.resolve("train.csv"), train);
        Files.writeString(root.resolve("test.csv"), test);
        LabeledDataset data = RecordReaderDataset.read(new CSVRecordReader(),
                new FileSplit(root.resolve("train.csv").toFile()), new FileSplit(root.resolve("test.csv").toFile()),
                List.of(CLASSES));
        try (ClassIncrementalBenchmark b = ClassIncrementalBenchmark.open(spec(), data);
             ClassIncrementalBenchmark ours = ClassIncrementalBenchmark.open(
                     DatasetSpec.of("image-folder", root, 2, 1, 8).withClassOrderSeed(7))) {
            assertEquals(seenTestImages(ours), seenTestImages(b));
        }
    }

    @Test
    void ourFormatsAreRecordReadersThatGoBothWays() {
        DatasetSpec spec = DatasetSpec.of("synthetic", null, 4, 3, 16).withClassOrderSeed(5).withThreads(1, 1)
                .withOptions(Map.of("classes", "10", "trainPerClass", "4", "testPerClass", "2", "size", "16",
                        "pretrainClasses", "0"));
        DatasetRecordReader[] readers = DatasetRecordReader.trainAndTest(spec);
        try (ClassIncrementalBenchmark direct = ClassIncrementalBenchmark.open(spec);
             ClassIncrementalBenchmark viaRecords = ClassIncrementalBenchmark.from(readers[0], readers[1], spec)) {
            DataSetIterator a = direct.testIteratorSeen(2, 7);
            DataSetIterator b = viaRecords.testIteratorSeen(2, 7);
            int batches = 0;
            while (a.hasNext()) {
                DataSet x = a.next();
                DataSet y = b.next();
                assertEquals(x.getFeatures(), y.getFeatures());
                assertEquals(x.getLabels(), y.getLabels());
                batches++;
            }
            assertEquals(3, batches);
            assertTrue(!b.hasNext());
        }
        // And into DL4J's RecordReaderDataSetIterator: raw pixels 0-255, one-hot original labels.
        readers[1].reset();
        RecordReaderDataSetIterator rrdsi = new RecordReaderDataSetIterator(readers[1], 20, 1, 10);
        DataSet ds = rrdsi.next();
        assertArrayEquals(new long[] {20, 3, 16, 16}, ds.getFeatures().shape());
        assertArrayEquals(new long[] {20, 10}, ds.getLabels().shape());
        assertTrue(ds.getFeatures().maxNumber().doubleValue() > 1.5, "pixel values, not [0,1]");
        assertEquals(readers[1].getLabels(), rrdsi.getLabels());
    }

    private static NDArrayWritable image(float value) {
        return new NDArrayWritable(Nd4j.valueArrayOf(new long[] {1, 3, 4, 4}, value));
    }

    private static String readError(List<List<Writable>> train) {
        CollectionRecordReader reader = new CollectionRecordReader(train);
        CollectionRecordReader test = new CollectionRecordReader(List.of(List.of(image(1), new IntWritable(0))));
        return assertThrows(DatasetFormatException.class,
                () -> RecordReaderDataset.read(reader, test, List.of("a", "b", "c"))).getMessage();
    }

    @Test
    void badRecordsAreNamedBeforeTraining() {
        String noLabel = readError(List.of(List.of(image(1), new IntWritable(0)), List.of(image(2))));
        assertTrue(noLabel.contains("record 1 of the train split") && noLabel.contains("expected [image, label]"), noLabel);
        String outside = readError(List.of(List.of(image(1), new IntWritable(3))));
        assertTrue(outside.contains("record 0 of the train split") && outside.contains("3 declared classes (0..2)")
                && outside.contains("found 3"), outside);
        String unknown = readError(List.of(List.of(image(1), new Text("zebra"))));
        assertTrue(unknown.contains("declared classes [a, b, c]") && unknown.contains("'zebra'"), unknown);
        String noImage = readError(List.of(List.of(new IntWritable(5), new IntWritable(0))));
        assertTrue(noImage.contains("expected an image first"), noImage);
        String scale = readError(List.of(List.of(image(300), new IntWritable(0))));
        assertTrue(scale.contains("pixel values in 0..255"), scale);
        String missing = readError(List.of(List.of(new Text(dir.resolve("gone.png").toString()), new IntWritable(0))));
        assertTrue(missing.contains("gone.png") && missing.contains("does not exist"), missing);
    }

    @Test
    void aRecordWithALabelOutsideTheClassesNamesItsUri() throws IOException {
        Path root = imageFolder().resolve("train");
        PathLabelGenerator wrongForOwl = new PathLabelGenerator() {
            @Override
            public Writable getLabelForPath(String path) {
                String parent = new File(path).getParentFile().getName();
                return new Text(parent.equals("owl") ? "0wl" : parent);
            }

            @Override
            public Writable getLabelForPath(URI uri) {
                return getLabelForPath(new File(uri).getPath());
            }

            @Override
            public boolean inferLabelClasses() {
                return false;
            }
        };
        List<URI> files = new ArrayList<>();
        for (String c : CLASSES) {
            files.add(root.resolve(c).resolve("0.png").toUri());
        }
        CollectionInputSplit split = new CollectionInputSplit(files);
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> RecordReaderDataset.read(
                ImageFileRecordReader.paths(wrongForOwl), split, split, List.of(CLASSES)));
        assertTrue(e.getMessage().contains(root.resolve("owl").resolve("0.png").toUri().toString())
                && e.getMessage().contains("'0wl'"), e.getMessage());
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> RecordReaderDataset.read(
                ImageFileRecordReader.paths(wrongForOwl), split, split, null));
        assertTrue(none.getMessage().contains("pass the class names"), none.getMessage());
    }
}
