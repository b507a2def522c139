package io.github.sdlora4j.benchmark;

import io.github.sdlora4j.data.ClassIncrementalBenchmark;
import io.github.sdlora4j.data.DatasetSpec;
import io.github.sdlora4j.datavec.ImageFileRecordReader;
import io.github.sdlora4j.vit.VitConfig;
import org.datavec.api.io.labels.ParentPathLabelGenerator;
import org.datavec.api.split.FileSplit;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Images per second that sdlora-datasets delivers to training (decode, RandomResizedCrop + flip, batch, prefetch):
 * the synthetic benchmark (drawn on the fly) and a folder of JPEGs written to a temporary directory, read by our
 * image-folder reader and through DataVec.
 */
public final class DatasetsPipelineProbe implements DataPipelineProbe {

    @Override
    public String name() {
        return "sdlora-datasets";
    }

    @Override
    public List<Throughput> measure(VitConfig model, int batch, boolean quick) throws Exception {
        int batches = quick ? 8 : 40;
        DatasetSpec synthetic = DatasetSpec.of("synthetic", null, 10, 10, model.imageSize())
                .withOptions(Map.of("classes", "10", "trainPerClass", Integer.toString(batch * batches / 10 + batch),
                        "size", Integer.toString(model.imageSize())));
        Throughput drawn = time("synthetic", synthetic, batch, batches,
                "synthetic images drawn, cropped and flipped at " + model.imageSize() + "px");
        Path dir = Files.createTempDirectory("sdlora-bench-jpegs");
        try {
            int perClass = batch * batches / 4 + batch;
            writeJpegFolder(dir, 4, perClass, 96);
            DatasetSpec folder = DatasetSpec.of("image-folder", dir, 4, 4, model.imageSize());
            Throughput jpeg = time("jpeg_folder", folder, batch, batches,
                    "96x96 JPEGs decoded (javax.imageio), cropped to " + model.imageSize() + "px and flipped");
            // The same folder as a DataVec pipeline: FileSplit + ParentPathLabelGenerator into ClassIncrementalBenchmark.from.
            Throughput datavec = time("datavec_folder", () -> ClassIncrementalBenchmark.from(
                    ImageFileRecordReader.paths(new ParentPathLabelGenerator()), new FileSplit(dir.resolve("train").toFile()),
                    new FileSplit(dir.resolve("test").toFile()), folder), batch, batches,
                    "the same JPEG folder read through DataVec (FileSplit, ParentPathLabelGenerator, ImageFileRecordReader)");
            return List.of(drawn, jpeg, datavec);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static Throughput time(String name, DatasetSpec spec, int batch, int batches, String note) {
        return time(name, () -> ClassIncrementalBenchmark.open(spec), batch, batches, note);
    }

    private static Throughput time(String name, Supplier<ClassIncrementalBenchmark> open, int batch, int batches,
                                   String note) {
        try (ClassIncrementalBenchmark bench = open.get()) {
            DataSetIterator it = bench.trainIterator(0, batch, 1);
            it.next(); // warm-up: threads started, first batch decoded
            long images = 0;
            long t0 = System.nanoTime();
            for (int i = 0; i < batches && it.hasNext(); i++) {
                images += it.next().getFeatures().size(0);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            return new Throughput(name, images / seconds, note + ", " + images + " images, batch " + batch);
        }
    }

    private static void writeJpegFolder(Path root, int classes, int perClass, int size) throws IOException {
        SplittableRandom rng = new SplittableRandom(7);
        for (String split : List.of("train", "test")) {
            for (int c = 0; c < classes; c++) {
                Path d = Files.createDirectories(root.resolve(split).resolve("class" + c));
                int n = split.equals("train") ? perClass : 2;
                for (int i = 0; i < n; i++) {
                    BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
                    int base = rng.nextInt(0xFFFFFF);
                    for (int y = 0; y < size; y++) {
                        for (int x = 0; x < size; x++) {
                            img.setRGB(x, y, base ^ (x * 2 << 8) ^ (y * 2) ^ rng.nextInt(32));
                        }
                    }
                    ImageIO.write(img, "jpg", d.resolve("img" + i + ".jpg").toFile());
                }
            }
        }
    }
}
