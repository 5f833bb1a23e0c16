import unittest

from step_success import bin_of, predicted, summarize


class StepSuccessTests(unittest.TestCase):
    def test_bins_keep_0_and_1_apart_from_the_rest(self):
        self.assertEqual([bin_of(q) for q in (0.0, 0.0625, 0.25, 0.5, 0.75, 0.9375, 1.0)],
                         ["0", "(0, 0.25]", "(0, 0.25]", "(0.25, 0.5]", "(0.5, 0.75]", "(0.75, 1)", "1"])

    def test_step_search_wins_where_several_steps_are_hard_and_not_where_errors_are_systematic(self):
        search, whole = predicted([0.2, 0.2], 16)
        self.assertAlmostEqual(search, (1 - 0.8 ** 16) ** 2)
        self.assertAlmostEqual(whole, 1 - (1 - 0.04) ** 16)
        self.assertGreater(search - whole, 0.4)
        # a step the policy never gets right, or always does: no search can win anything
        self.assertEqual(predicted([0.0, 1.0], 16), (0.0, 0.0))
        self.assertEqual(predicted([1.0, 1.0, 1.0], 16), (1.0, 1.0))

    def test_summary_counts_steps_per_bin_and_averages_the_predictions(self):
        s = summarize([[1.0, 0.0], [0.5]], 16)
        self.assertEqual((s["problems"], s["steps"]), (2, 3))
        self.assertEqual(s["q_histogram"]["1"], 1)
        self.assertEqual(s["q_histogram"]["0"], 1)
        self.assertEqual(s["q_histogram"]["(0.25, 0.5]"], 1)
        self.assertAlmostEqual(s["mean_q"], 0.5)
        self.assertAlmostEqual(s["steps_with_q_in_0.05_0.95_per_problem"], 0.5)
        self.assertAlmostEqual(s["predicted_step_search"], (0.0 + (1 - 0.5 ** 16)) / 2)
        self.assertAlmostEqual(s["predicted_one_sample"], (0.0 + 0.5) / 2)


if __name__ == "__main__":
    unittest.main()
