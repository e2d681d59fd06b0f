"""What each surface shows of a case (case, reminder and removal cards, the tracking officer's card), and refreshing posted copies."""
