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

import java.nio.file.Path;
import java.util.Map;

/**
 * The README's library example as a program: SD-LoRA over the synthetic benchmark through the Java API, without
 * the command line tool. Run with {@code java -cp ... io.github.sdlora4j.examples.LibraryQuickStart [out.safetensors]}.
 * It starts from the bundled pretrained demo backbone; real runs load the paper's ViT-B/16 with
 * {@code TimmBackboneImporter}.
 */
public final class LibraryQuickStart {

    private LibraryQuickStart() {
    }

    public static void main(String[] args) throws Exception {
        VitWeights backbone = BackboneFiles.load(BackboneFiles.BUNDLED, null, 0).weights();
        VitConfig vit = backbone.config();
        SdLoraConfig config = SdLoraConfig.reference(vit).withRanks(RankSchedule.constant(4));
        SdLoraLearner learner = SdLoraLearner.create(config, backbone);
        DatasetSpec spec = DatasetSpec.of("synthetic", null, 2, 2, vit.imageSize())
                .withOptions(Map.of("classes", "6", "trainPerClass", "64", "testPerClass", "20",
                        "size", Integer.toString(vit.imageSize())));
        try (ClassIncrementalBenchmark benchmark = ClassIncrementalBenchmark.open(spec)) {
            for (int t = 0; t < benchmark.numTasks(); t++) {
                learner.beforeTask(benchmark.taskClasses(t).size());
                learner.train(benchmark.trainIterator(t, 16, config.seed()), 3, TrainingMonitor.NONE);
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
