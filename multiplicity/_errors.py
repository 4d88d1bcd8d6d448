"""Message templates for errors raised on user input.

Tests import these constants, so a message is written once and checked everywhere.
Each template names the argument and what was expected.
"""

NOT_2D = "{name} must be a 2-D array of shape (n_models, n_samples), got shape {shape}"
NOT_PROBA_DIM = (
    "{name} must have shape (n_models, n_samples) for positive-class probabilities or "
    "(n_models, n_samples, n_classes), got shape {shape}"
)
EMPTY = "{name} must not be empty, got shape {shape}"
TOO_FEW_MODELS = "{name} needs at least {need} models (rows), got {got}"
MISSING_LABELS = "{name} contains missing values (NaN or None); predictions must be complete"
NOT_NUMERIC = "{name} must hold numbers, got dtype {dtype}"
NAN_PROBA = "{name} contains NaN or infinite values"
NOT_REAL = "{name} must hold real numbers (int or float), got dtype {dtype}"
NEGATIVE_PROBA = "{name} contains negative values (smallest {value!r})"
ABOVE_ONE_PROBA = "{name} contains values above 1 (largest {value!r}); expected probabilities"
ROWS_NOT_SUM_TO_ONE = (
    "{name} has class probabilities that do not sum to 1 (sum {value!r} at model {model}, "
    "sample {sample}; tolerance {tol:g})"
)
BASELINE_INDEX = "baseline index {index} is out of range for {n_models} models"
BASELINE_SHAPE = "baseline must have shape {expected} to match {name}, got shape {shape}"
BASELINE_TYPE = (
    "baseline must be an int (a row of {name}) or an array of the reference model's outputs, "
    "got {type}"
)
LENGTH_MISMATCH = "{a} and {b} must have the same length, got {na} and {nb}"
NOT_1D = "{name} must be 1-D of shape (n_samples,), got shape {shape}"
REGRESSION_TARGET = ("{name} must hold numbers for regressors (a continuous target), got "
                     "{got}")
REGRESSION_TARGET_FINITE = ("{name} must be finite for regressors; it holds {count} NaN or "
                            "infinite values (the first at position {first})")
DELTA_RANGE = "delta must be in (0, 1], got {0!r}"
DELTA_POSITIVE = (
    "delta must be a finite real number > 0, in the units of the predictions, got {0!r}"
)
THRESHOLD_FINITE = "threshold must be a finite real number, got {0!r}"
DENSE_NEEDED = "{0} needs a dense X; got a sparse matrix"
# rows of the error: parameter positions
COEF_RANGE_FAILED = ("{count} coefficient range(s) could not be solved: {shown}{more}. "
                     "{hint}")
RANK_DEFICIENT = (
    "alpha=0 (least squares) needs {what} of full column rank {p}, got rank {rank}; the "
    "level set is then unbounded. Use alpha > 0 (ridge) or drop the collinear columns")
WHERE_OPTION = "where must be 'inside' or 'boundary', got {0!r}"
PARAMS_CHANGED = ("{params} changed since fit (fitted with {params} = {fitted}); call fit "
                  "again")
TASK_VALUE = "task must be None, 'classification' or 'regression', got {!r}"
TASK_MISMATCH = ("task={task!r}, but {what} is a {found} (it {does}); pass task={found!r} "
                 "or leave task=None to take the task from the estimator")
THRESHOLD_CLASSIFIERS = ("threshold is a decision cut-off on the predictions of regressors; "
                         "the models here are classifiers (leave threshold=None, or pass "
                         "task='regression' with a regressor)")
DELTA_ZERO_SPREAD = ("the training target y takes one value only, so the default delta "
                     "(0.1 x its standard deviation) would be 0; pass delta= in the units "
                     "of the target")
CONFIDENCE_RANGE = "confidence must be a real number in (0, 1), got {0!r}"
BOOTSTRAP_METHOD = ("method must be 'auto', 'percentile', 'basic' or 'bca', got "
                    "{0!r}")
EXTRA_TYPE = ("extra must be a mapping (a dict) of names to per-person values, got a "
              "{0}")
EXTRA_NAME = ("extra: {0!r} must be a new measure name (a string that is none of the "
              "profile's measures: {1})")
EXTRA_VALUES = ("extra[{0!r}] must hold one finite real number per person ({1} values, "
                "1-D), for example 0/1 flags whose share is the measure")
ONE_SIDED_CONFIDENCE_RANGE = (
    "confidence must be a real number in (0.5, 1) for the one-sided test of arbitrary, "
    "got {0!r}")
PRECISION_RANGE = "precision must be a real number in (0, 1), got {0!r}"
FLIP_THRESHOLD_RANGE = (
    "threshold must be a real number in [0, 1) (a flip probability), got {0!r}")
INTERVAL_METHOD = "method must be 'wilson' or 'clopper-pearson', got {0!r}"
ESTIMATE_METHOD = "method must be 'chao2' or 'jackknife2', got {0!r}"
TARGET_GAIN = "target_gain must be a real number > 0, got {0!r}"
SIZES_RANGE = ("sizes must be a non-empty 1-D sequence of integers in [1, {n_models}] "
               "(the number of non-baseline models), got {sizes!r}")
NO_OTHER_MODELS = ("predictions must hold at least one model besides the baseline (row "
                   "{index}), got {n_models} row(s)")
DELTA_NEEDED = ("delta must be given for a Rashomon set of regressors: a distance between "
                "two predictions, in the units of the target (for prices in dollars, "
                "delta=1000 counts the people whose price some model moves by $1,000 "
                "or more)")
TOL_POSITIVE = "tol must be a positive finite number, got {0!r}"
MAX_ITER_POSITIVE = "max_iter must be a positive integer, got {0!r}"
EPSILON_NEGATIVE = "epsilon must be >= 0, got {0!r}"
INDEX_MISMATCH = (
    "the index of {name} does not match the index of {ref}: {detail}. pandas inputs are "
    "aligned on their index (rows with the same label belong together); pass {name} with "
    "the row labels of {ref} (for example {name}.loc[{ref}.index] or .reindex), or NumPy "
    "arrays to match rows by position"
)
INDEX_DUPLICATES = (
    "the index of {which} repeats labels (for example {label!r}), so {name} cannot be "
    "aligned with {ref} on the index; give the rows unique labels (reset_index() on both) "
    "or pass NumPy arrays to match rows by position"
)

# Arguments of the estimators and measures (checked in ``_validation``).
ON_UNDEFINED = "on_undefined must be 'raise' or 'nan', got {got!r}"
INT_AT_LEAST = "{name} must be an integer >= {low}, got {value!r}"
EPSILON_MODE = "epsilon_mode must be 'absolute' or 'relative', got {0!r}"
EPSILON_TYPE = "epsilon must be a real number >= 0, got {0!r}"
ALPHA_TYPE = "alpha must be a float in (0, 1), got {0}"
ALPHA_RANGE = "alpha must lie in (0, 1), got {0!r}"
SEED_NEGATIVE = "random_state must be >= 0, got {0!r}"
SEED_TYPE = "random_state must be None, an int, a numpy RandomState or Generator, got {0}"
NO_SAMPLES = "X must contain at least one sample, got 0"
X_Y_LENGTH = "X and y must have the same number of samples, got {0} and {1}"
CHUNK_SIZE = "chunk_size must be a positive int, got {0!r}"

# Gradient-boosting Rashomon sets (rashomon.BoostingExplorer) and y checks of explorers.
LOG_LOSS_CONTINUOUS = (
    "loss='log_loss' fits a classifier, but {name} holds continuous values (such as "
    "{example!r}); use loss='squared_error' (or 'absolute_error') to explore the Rashomon "
    "set of a regression")
ONE_CLASS = ("{name} contains only one class ({label!r}); a Rashomon set of classifiers "
             "needs at least two classes")
UNKNOWN_LABEL = ("{name} contains the label {label!r}, which is not among the classes of "
                 "y (classes_ = {classes})")
IDENTICAL_PATHS = (
    "all {n} kept paths give identical predictions on the training data: at every "
    "boosting stage the kept candidate trees predict the same values ({why}). The Rashomon "
    "set then shows no multiplicity because its members are copies, not because the "
    "predictions are stable. Use n_candidates >= 2 with subsample < 1 (for example "
    "subsample=0.8){hint}.")
PATH_NOT_FITTABLE = ("a boosting path is built by BoostingExplorer.fit and cannot be "
                     "fitted on its own; fit a BoostingExplorer and take its members")

# Rashomon sets from a fitted hyper-parameter search (RashomonSet.from_search).
SEARCH_TYPE = (
    "search_cv must be a fitted scikit-learn hyperparameter search (GridSearchCV, "
    "RandomizedSearchCV, HalvingGridSearchCV or HalvingRandomSearchCV), got {got}{hint}")
SEARCH_TYPE_HINT = ("; for models you fitted yourself use RashomonSet.from_models(models, "
                    "X, y)")
SEARCH_NOT_FITTED = (
    "search_cv ({name}) is not fitted: it has no cv_results_. Call search_cv.fit(X, y) "
    "first, then RashomonSet.from_search(search_cv, X, y)")
SEARCH_SCORES = "scores must be 'refit' or 'cv', got {0!r}"
SEARCH_MULTIMETRIC = (
    "scores='cv' needs one score, but search_cv was run with several ({names}) and "
    "refit={refit!r} names none of them; fit the search with refit set to one of the "
    "names, or use scores='refit' (the set is then defined by loss= of the refitted "
    "candidates on (X, y))")
SEARCH_CV_LOSS = (
    "loss={loss!r} cannot be used with scores='cv': the set is then defined by the "
    "cross-validated scores of search_cv (here {cv_loss}); leave loss=None, or use "
    "scores='refit' for a loss of the refitted candidates on (X, y)")
SEARCH_CV_DATA = (
    "rashomon_data cannot be used with scores='cv': the set is then defined by the "
    "cross-validated scores of search_cv; leave rashomon_data=None, or use scores='refit'")
SEARCH_CV_RELATIVE = (
    "epsilon_mode='relative' needs a baseline loss >= 0, but the cross-validated loss of "
    "the baseline is {loss!r} ({cv_loss}); use epsilon_mode='absolute'")
SEARCH_CV_LOSS_CALL = (
    "the loss of this Rashomon set is a cross-validated score of a search ({0}); it "
    "cannot be evaluated on new predictions. Build the set with scores='refit' and a "
    "named loss to evaluate losses on data")
SEARCH_BASELINE = ("baseline must be None, 'best' or an int position among the {n} "
                   "candidates of search_cv, got {got!r}")
SEARCH_NO_BEST = (
    "baseline='best' needs search_cv.best_index_, which a multi-metric search fitted "
    "without refit naming one of its metrics does not have; pass baseline=None (the "
    "lowest loss) or an int")
SEARCH_BASELINE_FAILED = (
    "baseline={index} is candidate {position} of search_cv, whose cross-validation "
    "failed ({key} is NaN); choose another baseline or None")
SEARCH_ALL_FAILED = (
    "every candidate of search_cv failed in cross-validation (its {key} is NaN for all "
    "{n}); there is no model to build a Rashomon set from")
SEARCH_FAILED = (
    "{count} of the {n} candidates of search_cv failed in cross-validation ({key} is "
    "NaN; positions {shown}); they are not refitted and are never members of the set "
    "(their pool_ loss is NaN)")
SEARCH_REFIT_FAILED = ("candidate {position} of search_cv ({params}) failed to fit on "
                       "(X, y): {error}")
SEARCH_TASK_MIX = (
    "the candidates of search_cv mix classifiers and regressors (candidate {j}, {cname}, "
    "is a classifier; candidate {i}, {rname}, a regressor); a Rashomon set holds one kind")
SEARCH_TARGET = (
    "search_cv searched classifiers ({name}), but y holds continuous values (type of "
    "target {kind!r}); pass the class labels the search was fitted on (or search "
    "regressors for a continuous target)")
SEARCH_NEEDS_PROBA = (
    "loss={loss!r} needs predict_proba, which candidate {position} of search_cv ({name}) "
    "does not have; use loss='zero_one' (or scores='cv')")
SEARCH_RASHOMON_DATA = "rashomon_data must be a pair (X_val, y_val), got {got}"

# Scorers bounded above by 1 (a perfect model): their loss is 1 - score.
