package io.github.sdlora4j.examples;

import io.github.sdlora4j.data.ClassIncrementalBenchmark;
import io.github.sdlora4j.data.ClassRange;
import io.github.sdlora4j.data.DatasetSpec;
import io.github.sdlora4j.datavec.ImageFileRecordReader;
import io.github.sdlora4j.learner.SdLoraConfig;
import io.github.sdlora4j.learner.SdLoraLearner;
import io.github.sdlora4j.learner.TaskExperience;
import io.github.sdlora4j.learner.TrainingMonitor;
import io.github.sdlora4j.lora.RankSchedule;
import io.github.sdlora4j.vit.VitWeights;
import org.datavec.api.io.labels.ParentPathLabelGenerator;
import org.datavec.api.records.reader.RecordReader;
import org.datavec.api.split.FileSplit;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A DataVec pipeline made a class-incremental benchmark in one line, then SD-LoRA over it: the README's
 * "From a DataVec pipeline" as a program. {@code root/train/<class>/*.png|jpg} and {@code root/test/<class>/...} are
 * read with a DataVec {@code FileSplit} and {@code ParentPathLabelGenerator}; any other {@code RecordReader} that
 * yields {@code [image, label]} (DataVec's {@code ImageRecordReader}, a {@code CSVRecordReader} of paths) goes in
 * the same place. Run with {@code java -cp ... io.github.sdlora4j.examples.DataVecQuickStart ROOT [EPOCHS]}.
 */
public final class DataVecQuickStart {

    private DataVecQuickStart() {
    }

    public static void main(String[] args) throws java.io.IOException {
        if (args.length < 1) {
            System.err.println("usage: DataVecQuickStart ROOT [EPOCHS]   (ROOT/train/<class>/*.png, ROOT/test/<class>/...)");
            System.exit(2);
        }
        run(Path.of(args[0]), args.length > 1 ? Integer.parseInt(args[1]) : 3);
    }

    /**
     * Trains SD-LoRA from the bundled backbone over the folder, two classes a task.
     *
     * @return the accuracy on the seen classes after each task
     */
    public static List<Double> run(Path root, int epochs) throws java.io.IOException {
        VitWeights backbone = BackboneFiles.load(BackboneFiles.BUNDLED, null, 0).weights();
        SdLoraConfig config = SdLoraConfig.reference(backbone.config()).withRanks(RankSchedule.constant(4));
        SdLoraLearner learner = SdLoraLearner.create(config, backbone);
        DatasetSpec spec = DatasetSpec.of("image-folder", root, 2, 2, backbone.config().imageSize());
        String[] formats = {"png", "jpg", "jpeg"};
        RecordReader reader = ImageFileRecordReader.paths(new ParentPathLabelGenerator());
        List<Double> accuracies = new ArrayList<>();
        try (ClassIncrementalBenchmark benchmark = ClassIncrementalBenchmark.from(reader,
                new FileSplit(root.resolve("train").toFile(), formats, new Random(1)),
                new FileSplit(root.resolve("test").toFile(), formats), spec)) {
            for (int t = 0; t < benchmark.numTasks(); t++) {
                DataSetIterator train = benchmark.trainIterator(t, 16, config.seed());
                ClassRange classes = benchmark.taskClasses(t);
                learner.beforeTask(new TaskExperience(t, classes.start(), classes.size(), train));
                learner.train(train, epochs, TrainingMonitor.NONE);
                learner.afterTask();
                Evaluation eval = learner.evaluate(benchmark.testIteratorSeen(t, 64));
                accuracies.add(eval.accuracy());
                System.out.printf("after task %d: accuracy on %d seen classes %.1f %%%n", t, learner.numClasses(),
                        100 * eval.accuracy());
            }
        }
        return accuracies;
    }
}
