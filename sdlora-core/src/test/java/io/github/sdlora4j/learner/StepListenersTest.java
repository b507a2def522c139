package io.github.sdlora4j.learner;

import io.github.sdlora4j.lora.RankSchedule;
import io.github.sdlora4j.vit.TestWeights;
import io.github.sdlora4j.vit.VitConfig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Loss;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** DL4J's listener idiom: a SameDiff Listener attached to the learner hears every step's loss on both engines. */
class StepListenersTest {

    private static final VitConfig C = VitConfig.TINY_TEST;

    /** Records what SameDiff's fit would tell a listener. */
    private static final class Recorder extends BaseListener {
        final List<Double> losses = new ArrayList<>();
        final List<String> starts = new ArrayList<>();
        final List<Long> batchSizes = new ArrayList<>();

        @Override
        public boolean isActive(Operation operation) {
            return operation == Operation.TRAINING;
        }

        @Override
        public void iterationStart(SameDiff sd, At at, MultiDataSet data, long etlTimeMs) {
            starts.add(at.epoch() + "/" + at.iteration());
        }

        @Override
        public void iterationDone(SameDiff sd, At at, MultiDataSet dataSet, Loss loss) {
            assertEquals(List.of("loss"), loss.getLossNames());
            losses.add(loss.totalLoss());
            batchSizes.add(dataSet.getFeatures(0).size(0));
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"fused", "samediff"})
    void aListenerSeesEachStepsLossAsTrainStepReturnsIt(String engine) {
        Recorder recorder = new Recorder();
        List<Double> returned = new ArrayList<>();
        List<String> steps = new ArrayList<>();
        List<Long> sizes = new ArrayList<>();
        EngineProperty.with(engine, () -> {
            SdLoraLearner learner = SdLoraLearner.create(
                    SdLoraConfig.reference(C).withRanks(RankSchedule.constant(2)).withSeed(3),
                    TestWeights.perturbed(C, 1, DataType.FLOAT));
            learner.addListeners(recorder);
            TemplateData data = new TemplateData(C, 4, 2);
            for (int t = 0; t < 2; t++) {
                learner.beforeTask(2);
                for (int s = 0; s < 3; s++) {
                    org.nd4j.linalg.dataset.DataSet batch = data.sample(2 * t, 2 * t + 2, 5, 10 * t + s);
                    sizes.add(batch.getFeatures().size(0));
                    returned.add(learner.trainStep(batch, s / 2, s));
                    steps.add((s / 2) + "/" + s);
                }
                learner.afterTask();
            }
            return learner;
        });
        assertEquals(returned, recorder.losses, engine + ": the listener's loss is trainStep's, step for step");
        assertEquals(6, recorder.starts.size());
        assertEquals(steps, recorder.starts, "epoch/iteration of each step, counted per task");
        assertEquals(sizes, recorder.batchSizes, "the step's own batch");
    }
}
