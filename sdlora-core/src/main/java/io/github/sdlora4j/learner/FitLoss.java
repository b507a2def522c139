package io.github.sdlora4j.learner;

import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.Listener;
import org.nd4j.autodiff.listeners.Loss;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.internal.TrainingSession;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.IUpdater;

import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One optimizer step of a SameDiff graph that returns the batch loss and stops on NaN/Inf.
 *
 * <p>It drives one {@link TrainingSession} for the graph's whole life, as {@code SameDiff.fit} does within one call:
 * the session's array cache then serves every step's activations from the previous step's. {@code fit(DataSet)}
 * makes a new session per call, so each step allocated every activation afresh (about a tenth of a ViT-Tiny step).
 * The loss variable is registered as a training evaluation ({@link LossEvaluationHook}) so that the session
 * computes it; without one, SameDiff 1.0.0-M2.1 reports a loss of 0. Listeners added to the graph
 * ({@code SameDiff.addListeners}) see every step as under {@code fit}.
 */
final class FitLoss {

    private final SameDiff sd;
    private final String input;
    private final String label;
    private final Set<String> trained = new LinkedHashSet<>();
    private final List<Listener> userListeners;
    private TrainingSession session;

    private FitLoss(SameDiff sd, String input, String label, List<Listener> userListeners) {
        this.sd = sd;
        this.userListeners = userListeners;
        this.input = input;
        this.label = label;
        for (SDVariable v : sd.variables()) {
            if (v.getVariableType() == VariableType.VARIABLE) {
                trained.add(v.name());
            }
        }
    }

    /** Sets the training configuration of {@code sd}, whose graph must be complete (features → {@code input}, labels → {@code label}). */
    static FitLoss configure(SameDiff sd, String loss, String input, String label, IUpdater updater) {
        return configure(sd, loss, input, label, updater, List.of());
    }

    /** As above; {@code userListeners} (live) hear every step besides the graph's own listeners. */
    static FitLoss configure(SameDiff sd, String loss, String input, String label, IUpdater updater,
                             List<Listener> userListeners) {
        sd.setLossVariables(loss);
        sd.setTrainingConfig(TrainingConfig.builder()
                .updater(updater)
                .dataSetFeatureMapping(input)
                .dataSetLabelMapping(label)
                .trainEvaluation(loss, 0, new LossEvaluationHook())
                .build());
        return new FitLoss(sd, input, label, userListeners);
    }

    /**
     * One step; the returned loss is the batch's before the update. A non-finite loss, or an update that made a
     * trained tensor non-finite (which can happen a step before the loss shows it), stops training.
     */
    double fit(DataSet batch, int task, int epoch, int step) {
        TrainingConfig config = sd.getTrainingConfig();
        if (session == null) {
            if (sd.getFunction("grad") == null) {
                QuietStdout.createGradFunction(sd);
            }
            SameDiff gradient = sd.getFunction("grad");
            gradient.setTrainingConfig(config);
            session = new TrainingSession(gradient);
        }
        if (sd.getUpdaterMap() == null) {
            initializeTraining(sd);
        }
        // The epoch is the learner's (SameDiff counts one per fit call); the learning-rate schedule does not read it.
        At at = StepListeners.at(epoch, config.getIterationCount());
        List<Listener> listeners = new ArrayList<>(sd.getListeners());
        listeners.addAll(userListeners);
        MultiDataSet mds = batch.toMultiDataSet();
        StepListeners.iterationStart(listeners, sd, at, mds);
        Map<String, INDArray> placeholders = Map.of(input, batch.getFeatures(), label, batch.getLabels());
        Loss loss = session.trainingIteration(config, placeholders, trained, sd.getUpdaterMap(),
                mds, sd.getLossVariables(), listeners, at);
        config.incrementIterationCount();
        double value = loss.getLosses()[0];
        if (!Double.isFinite(value)) {
            throw new NonFiniteLossException(task, epoch, step, value);
        }
        for (String name : trained) {
            double sum = sd.getArrForVarName(name).sumNumber().doubleValue();
            if (!Double.isFinite(sum)) {
                throw new NonFiniteLossException(task, epoch, step, "Parameter '" + name + "' became non-finite");
            }
        }
        return value;
    }

    /** Creates SameDiff's optimizer state (the updater map), as {@code fit} does before its first step. */
    static void initializeTraining(SameDiff sd) {
        // Reflection, because SameDiff 1.0.0-M2.1 has no public way to create that state without training: its
        // initializeTraining() is protected, and its only public caller, fit, runs it inside the batch loop just
        // before an optimizer step (and there is no setter for the updater map).
        try {
            Method m = SameDiff.class.getDeclaredMethod("initializeTraining");
            m.setAccessible(true);
            m.invoke(sd);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Cannot initialise SameDiff's optimizer state", e);
        }
    }
}
