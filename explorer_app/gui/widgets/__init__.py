"""Small widgets every part uses (icons, buttons) and typing help for Qt."""
