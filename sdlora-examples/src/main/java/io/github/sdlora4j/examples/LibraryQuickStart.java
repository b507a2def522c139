package io.github.sdlora4j.examples;

import io.github.sdlora4j.data.ClassIncrementalBenchmark;
import io.github.sdlora4j.data.DatasetSpec;
import io.github.sdlora4j.io.LearnerCheckpoint;
import io.github.sdlora4j.learner.SdLoraConfig;
import io.github.sdlora4j.learner.SdLoraLearner;
import io.github.sdlora4j.learner.TrainingMonitor;
import io.github.sdlora4j.lora.RankSchedule;
import io.github.sdlora4j.vit.VitConfig;
import io.github.sdlora4j.vit.VitWeights;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.api.buffer.DataType;

import java.nio.file.Path;
import java.util.Map;

/**
 * The README's library example as a program: SD-LoRA over the synthetic benchmark through the Java API, without
 * the command line tool. Run with {@code java -cp ... io.github.sdlora4j.examples.LibraryQuickStart [out.safetensors]}.
 * It uses a randomly initialised tiny backbone to stay self-contained; real runs load a pretrained one
 * ({@code TimmBackboneImporter}).
 */
public final class LibraryQuickStart {

    private LibraryQuickStart() {
    }

    public static void main(String[] args) throws Exception {
        VitConfig vit = VitConfig.TINY_TEST;
        VitWeights backbone = VitWeights.random(vit, 1, DataType.FLOAT);
        SdLoraConfig config = SdLoraConfig.reference(vit).withRanks(RankSchedule.constant(4));
        SdLoraLearner learner = SdLoraLearner.create(config, backbone);
        DatasetSpec spec = DatasetSpec.of("synthetic", null, 2, 2, vit.imageSize())
                .withOptions(Map.of("classes", "6", "trainPerClass", "32", "testPerClass", "16",
                        "size", Integer.toString(vit.imageSize())));
        try (ClassIncrementalBenchmark benchmark = ClassIncrementalBenchmark.open(spec)) {
            for (int t = 0; t < benchmark.numTasks(); t++) {
                learner.beforeTask(benchmark.taskClasses(t).size());
                learner.train(benchmark.trainIterator(t, 16, config.seed()), 1, TrainingMonitor.NONE);
                learner.afterTask();
                Evaluation eval = learner.evaluate(benchmark.testIteratorSeen(t, 64));
                System.out.printf("after task %d: accuracy on %d seen classes %.1f %%%n", t, learner.numClasses(),
                        100 * eval.accuracy());
            }
        }
        Path out = Path.of(args.length > 0 ? args[0] : "quickstart-learner.safetensors");
        LearnerCheckpoint.save(learner, out);
        System.out.println("saved " + out);
    }
}
