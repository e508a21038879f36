"""The assessment form offers each framework: a person chooses family safeguarding from the
keyboard, its domains appear with the worse end of each scale, and the saved assessment names
its framework; reopening the family shows that framework again."""

from __future__ import annotations

from PySide6.QtCore import Qt


def test_a_family_safeguarding_assessment_is_chosen_rated_and_saved(driver, qtbot) -> None:
    driver.sign_in("sw1")
    driver.open()
    view = driver.view
    view.show_page("risk-assessment")
    panel = view.assessment
    assert panel is not None
    driver.settle()
    assert panel.framework.currentData() == "radicalisation"
    assert {"engagement", "intent", "capability"} <= set(panel.ratings)
    panel.framework.setFocus()
    qtbot.keyClicks(panel.framework, "Fam")
    assert panel.framework.currentData() == "family-safeguarding"
    assert "violence" not in panel.ratings
    assert {"domestic-abuse", "mental-health", "substance-misuse", "basic-care"} <= set(
        panel.ratings)
    assert "poor is worse" in panel.ratings["basic-care"].accessibleDescription()
    qtbot.keyClicks(panel.ratings["domestic-abuse"], "Hi")
    qtbot.keyClicks(panel.rationales["domestic-abuse"], "Two police callouts")
    qtbot.keyClicks(panel.ratings["basic-care"], "Ad")
    qtbot.keyClicks(panel.formulation, "Mother protective when sober.")
    with driver.reloaded():
        qtbot.mouseClick(panel.save, Qt.MouseButton.LeftButton)
    driver.settle()
    saved = panel.current
    assert saved is not None and saved.framework == "family-safeguarding"
    assert saved.factors["domestic-abuse"].rating == "high"
    assert saved.factors["basic-care"].rating == "adequate"
    assert "Family safeguarding" in panel.state.text()
    view.clear()
    driver.open()
    view.show_page("risk-assessment")
    driver.settle()
    reopened = view.assessment
    assert reopened is not None and reopened.framework.currentData() == "family-safeguarding"
    assert reopened.ratings["domestic-abuse"].currentData() == "high"
